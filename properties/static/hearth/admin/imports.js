// The admin's imports. The upload form refuses a file over the limit before
// sending it (a body over MAX_REQUEST_BODY_SIZE would be cut off with a bare 413).
// A run's page follows the run while it is queued or running: a light poll of its
// progress URL (same origin, allowed by the CSP's connect-src), then one reload
// when it ends so the page shows the summary and the row errors.
"use strict";
(function () {
  var INTERVAL_MS = 1000;

  function checkSize() {
    var form = document.getElementById("import-upload");
    var input = form && form.querySelector("input[type=file][data-max-bytes]");
    if (!input) return;
    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      var limit = Number(input.dataset.maxBytes);
      if (!file || file.size <= limit) return;
      event.preventDefault();
      var errors = form.querySelector(".hearth-size-error");
      if (!errors) {
        errors = document.createElement("ul");
        errors.className = "errorlist hearth-size-error";
        input.closest(".form-row").prepend(errors);
      }
      errors.textContent = "";
      var item = document.createElement("li");
      item.textContent = "The file is " + (file.size / 1048576).toFixed(1) +
        " MB; uploads are limited to " + (limit / 1048576).toFixed(1) +
        " MB. Import larger feeds with manage.py import_listings.";
      errors.appendChild(item);
    });
  }

  function follow() {
    var run = document.getElementById("import-run");
    var url = run && run.dataset.progressUrl;
    if (!url) return;
    var bar = document.getElementById("import-progress");
    var percent = document.getElementById("import-percent");
    var status = document.getElementById("import-status");
    var counts = document.getElementById("import-counts");

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("progress " + response.status);
          return response.json();
        })
        .then(function (state) {
          bar.value = state.progress;
          percent.textContent = Math.round(state.progress * 100) + "%";
          status.textContent = state.status_label;
          counts.textContent = state.counts;
          if (state.active) {
            window.setTimeout(poll, INTERVAL_MS);
          } else {
            window.location.reload();
          }
        })
        .catch(function () {
          // A blip (a restart, the network): try again a little later.
          window.setTimeout(poll, INTERVAL_MS * 5);
        });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  function start() {
    checkSize();
    follow();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
