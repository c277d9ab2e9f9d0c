// An admin import's page follows the run while it is queued or running: a light
// poll of its progress URL (same origin, allowed by the CSP's connect-src), then
// one reload when it ends so the page shows the summary and the row errors.
"use strict";
(function () {
  var INTERVAL_MS = 1000;

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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", follow);
  } else {
    follow();
  }
})();
