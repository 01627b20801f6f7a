// Draws the dashboard's charts with the vendored Apache ECharts. Each
// chart reads its figures from its data-chart attribute (JSON); the same
// figures are in the table under it. The series differ by line style,
// symbol and pattern (ECharts' aria decals), not by colour alone.
(function () {
  "use strict";
  function draw(el) {
    if (!window.echarts) return;
    var d = JSON.parse(el.dataset.chart);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    if (d.kind === "clocks") {
      // A home's clocks per month: one line per kind of clock, the share
      // met in time; the lines differ by style and symbol.
      // Sizes differ too, so that equal shares drawn on one point stay visible.
      var looks = [
        { line: "solid", symbol: "circle", size: 13 },
        { line: "dashed", symbol: "triangle", size: 10 },
        { line: "dotted", symbol: "diamond", size: 7 }
      ];
      chart.setOption({
        aria: { enabled: true, decal: { show: true } },
        animation: false,
        legend: { top: 0, itemWidth: 36 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : v + " %"; } },
        grid: { left: 48, right: 12, top: 36, bottom: 28 },
        xAxis: { type: "category", data: d.periods, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", min: 0, max: 100, name: d.labels.axis, nameTextStyle: { align: "left" }, axisLabel: { formatter: "{value} %" } },
        series: d.series.map(function (s, i) {
          var look = looks[i % looks.length];
          return { name: s.name, type: "line", data: s.data, connectNulls: false, symbol: look.symbol, symbolSize: look.size,
            lineStyle: { type: look.line, width: 2.5 } };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
      return;
    }
    chart.setOption({
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      legend: { top: 0, itemWidth: 28 },
      tooltip: { trigger: "axis" },
      grid: { left: 44, right: 44, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.periods, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
        { type: "value", minInterval: 1, splitLine: { show: false } }
      ],
      series: [
        { name: d.labels.complaints, type: "bar", yAxisIndex: 1, data: d.complaints, barMaxWidth: 14 },
        { name: d.labels.redos, type: "bar", yAxisIndex: 1, data: d.redos, barMaxWidth: 14 },
        { name: d.labels.score, type: "line", data: d.score, symbol: "circle", symbolSize: 8, connectNulls: false, z: 5, lineStyle: { width: 3 } },
        { name: d.labels.threshold, type: "line", data: d.threshold, symbol: "triangle", symbolSize: 7, z: 5, lineStyle: { type: "dashed", width: 2 } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function start() {
    var els = document.querySelectorAll(".chart[data-chart]");
    for (var i = 0; i < els.length; i++) draw(els[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
