// The admin index's median price chart, drawn by the vendored Chart.js from the
// numbers the page already carries (json_script): no request, no CDN.
"use strict";
(function () {
  function draw() {
    var canvas = document.getElementById("dash-median-chart");
    var data = document.getElementById("dash-median-data");
    if (!canvas || !data || typeof window.Chart === "undefined") return;
    var rows = JSON.parse(data.textContent);
    var style = getComputedStyle(document.documentElement);
    var text = style.getPropertyValue("--body-fg").trim() || "#333";
    var accent = style.getPropertyValue("--hearth-accent").trim() || "#2563eb";
    var grid = style.getPropertyValue("--hairline-color").trim() || "#e5e7eb";
    var money = new Intl.NumberFormat("en-US", {
      style: "currency", currency: "USD", maximumFractionDigits: 0,
    });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: rows.map(function (row) { return row[0]; }),
        datasets: [{
          label: "Median list price",
          data: rows.map(function (row) { return Number(row[1]); }),
          borderColor: accent,
          backgroundColor: accent,
          tension: 0.25,
        }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return money.format(ctx.parsed.y); } } },
        },
        scales: {
          x: { ticks: { color: text }, grid: { color: grid } },
          y: { ticks: { color: text, callback: function (v) { return money.format(v); } },
               grid: { color: grid } },
        },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
