// Field work on a phone: the customer's signature drawn on a canvas, and the
// technician's position at check-in. No framework; works without it too
// (check-in without a position, sign-off refused with a clear message).
(function () {
  "use strict";

  function signaturePad(canvas, field, clear) {
    var ctx = canvas.getContext("2d");
    var drawing = false, dirty = false, last = null;
    function size() {
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      canvas.width = rect.width * ratio;
      canvas.height = rect.height * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#16202e";
      dirty = false;
      field.value = "";
    }
    function point(e) {
      var rect = canvas.getBoundingClientRect();
      return { x: e.clientX - rect.left, y: e.clientY - rect.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true;
      last = point(e);
      try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* synthetic or already released */ }
      e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      dirty = true;
      e.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (dirty) field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      dirty = false;
      field.value = "";
    });
    size();
  }

  function locate(form) {
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var note = form.querySelector(".geo-note");
    if (!navigator.geolocation || !lat) return;
    form.addEventListener("submit", function (e) {
      if (lat.value || form.dataset.located) return;
      e.preventDefault();
      if (note) note.hidden = false;
      var done = function () { form.dataset.located = "1"; form.submit(); };
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        done();
      }, done, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("signature-pad");
    if (canvas) {
      signaturePad(canvas, document.getElementById("signature-field"), document.getElementById("signature-clear"));
    }
    var checkin = document.getElementById("checkin-form");
    if (checkin) locate(checkin);
  });
})();
