// Scanning QR codes on the organiser's roster (check-in codes) and the pickup page (pickup codes).
// Chromium's BarcodeDetector reads the camera; where it is missing (desktop Linux, Firefox, iOS Safari) the
// page says so and the code is typed instead. Kept in a static file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var RESCAN_MS = 4000; // the same code is not submitted twice within this time

  function setUp(box) {
    var input = document.getElementById(box.getAttribute("data-scanner-input"));
    var form = input && input.form;
    var start = box.querySelector("[data-scanner-start]");
    var video = box.querySelector("video");
    var note = box.querySelector("[data-scanner-note]");
    if (!form || !start || !video) {
      return;
    }
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      if (note) {
        note.textContent = box.getAttribute("data-unsupported") || "";
      }
      return;
    }
    start.hidden = false;
    var last = "";
    var lastAt = 0;

    function submit(value) {
      input.value = value;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          start.hidden = true;
          return video.play();
        })
        .then(function () {
          function tick() {
            detector.detect(video).then(function (codes) {
              var now = Date.now();
              if (codes.length && (codes[0].rawValue !== last || now - lastAt > RESCAN_MS)) {
                last = codes[0].rawValue;
                lastAt = now;
                submit(last);
              }
            }).catch(function () { /* a frame that could not be read */ }).then(function () {
              window.setTimeout(tick, 250);
            });
          }
          tick();
        })
        .catch(function (error) {
          if (note) {
            note.textContent = (box.getAttribute("data-unsupported") || "") + " (" + error.name + ")";
          }
        });
    });
  }

  document.querySelectorAll("[data-scanner]").forEach(setUp);

  // After an htmx check-in, clear the code box for the next volunteer.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.id === "scan-form" && event.detail.successful) {
      var input = form.querySelector("input[name=code]");
      if (input) {
        input.value = "";
        input.focus();
      }
    }
  });
})();
