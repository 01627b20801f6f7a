// The dispatch board: drag a waiting request or a booked visit onto a
// technician's row; the drop time is read from where it lands (rounded to
// a quarter hour) and posted as the item's own form would post it. Every
// item also has that form, which is the keyboard's and the phone's way.
(function () {
  "use strict";
  var lanes = document.getElementById("lanes");
  var status = document.getElementById("board-status");
  if (!lanes) return;
  // Places on the time axis (the page's policy allows no inline styles).
  lanes.querySelectorAll("[data-left]").forEach(function (el) {
    el.style.left = el.dataset.left + "%";
    if (el.dataset.width) el.style.width = el.dataset.width + "%";
  });
  var from = +lanes.dataset.from, to = +lanes.dataset.to, day = lanes.dataset.day;
  var dragged = null;

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  document.querySelectorAll("[draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (e) {
      dragged = el;
      el.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", el.id);
    });
    el.addEventListener("dragend", function () { el.classList.remove("dragging"); dragged = null; });
  });
  lanes.querySelectorAll(".lane .track").forEach(function (track) {
    track.addEventListener("dragover", function (e) { if (dragged) { e.preventDefault(); track.classList.add("over"); } });
    track.addEventListener("dragleave", function () { track.classList.remove("over"); });
    track.addEventListener("drop", function (e) {
      e.preventDefault();
      track.classList.remove("over");
      var el = dragged || document.getElementById(e.dataTransfer.getData("text/plain"));
      if (!el) return;
      var box = track.getBoundingClientRect();
      var minutes = from * 60 + Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * (to - from) * 60;
      minutes = Math.round(minutes / 15) * 15;
      move(el, track.dataset.technician, pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60));
    });
  });

  function move(el, technician, time) {
    var body = new URLSearchParams();
    body.set("day", day);
    body.set("request_id", el.dataset.request);
    if (el.dataset.workOrder) body.set("work_order_id", el.dataset.workOrder);
    // A booked visit keeps its length; a new one is planned by the server.
    if (el.dataset.minutes) body.set("minutes", el.dataset.minutes);
    body.set("technician_id", technician);
    body.set("time", time);
    say("…");
    fetch("/dispatch/move", { method: "POST", body: body, headers: { "X-Board": "1" }, credentials: "same-origin" })
      .then(function (res) {
        if (res.ok) { location.reload(); return; }
        return res.text().then(function (t) { say(status.dataset.failed + " " + t, true); });
      })
      .catch(function (err) { say(String(err), true); });
  }

  // A visit's move form opens leftwards from the visit's right edge; where
  // the board would cut it off (a visit early in the day, a narrow window)
  // it moves sideways to lie within the board.
  lanes.querySelectorAll(".visit details.move").forEach(function (d) {
    d.addEventListener("toggle", function () {
      var form = d.querySelector(".move-form");
      form.style.right = "";
      if (!d.open || getComputedStyle(form).position !== "absolute") return;
      var box = lanes.getBoundingClientRect(), at = form.getBoundingClientRect(), shift = 0;
      if (at.left < box.left) shift = box.left - at.left;
      else if (at.right > box.right) shift = box.right - at.right;
      if (shift) form.style.right = -shift + "px";
    });
  });

  // The planner's countdown while the server plans.
  var plan = document.getElementById("plan-form");
  if (plan) {
    plan.addEventListener("submit", function () {
      var btn = document.getElementById("plan-day");
      var left = +plan.elements.time_limit.value;
      btn.disabled = true;
      var tick = function () {
        btn.textContent = btn.dataset.counting.replace(/\d+|\{\{\.N\}\}/, left);
        left = Math.max(0, left - 1);
      };
      tick();
      setInterval(tick, 1000);
    });
  }
})();
