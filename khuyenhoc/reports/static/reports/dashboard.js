/* The reports dashboard: four Chart.js charts drawn from the JSON the page embeds.
   Served by the app itself (no CDN); works on a 360 px phone (responsive canvases). */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var el = document.getElementById("dashboard-data");
    if (!el || typeof Chart === "undefined") return;
    var d = JSON.parse(el.textContent);
    var t = JSON.parse(document.getElementById("dashboard-labels").textContent);
    var fmt = function (v) { return v == null ? "—" : Number(v).toLocaleString("vi-VN"); };
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.maintainAspectRatio = false;
    // No grow-in animation: figures are read, not watched, and slow phones draw at once.
    Chart.defaults.animation = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 12;
    var tooltip = { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt(c.parsed.y != null && c.chart.config.options.indexAxis !== "y" ? c.parsed.y : c.parsed.x); } } };
    var ticks = { callback: function (v) { return fmt(v); } };
    var years = d.years.map(String);
    function empty(id) {
      var box = document.getElementById(id).parentNode;
      box.innerHTML = '<p class="muted">' + t.none + "</p>";
      box.style.height = "auto";
    }
    new Chart(document.getElementById("chart-members"), {
      type: "bar",
      data: { labels: years, datasets: [
        { label: t.members, data: d.members, backgroundColor: "#b3261e", yAxisID: "y" },
        { label: t.chapters, data: d.chapters, type: "line", borderColor: "#0b57d0", backgroundColor: "#0b57d0", yAxisID: "y1" }
      ] },
      options: { plugins: { tooltip: tooltip }, scales: { y: { beginAtZero: true, ticks: ticks }, y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: ticks } } }
    });
    new Chart(document.getElementById("chart-titles"), {
      type: "line",
      data: { labels: years, datasets: [
        { label: t.families, data: d.families, spanGaps: false, borderColor: "#b3261e", backgroundColor: "#b3261e", yAxisID: "y" },
        { label: t.clans, data: d.clans, spanGaps: false, borderColor: "#1e7b34", backgroundColor: "#1e7b34", yAxisID: "y1" },
        { label: t.communities, data: d.communities, spanGaps: false, borderColor: "#0b57d0", backgroundColor: "#0b57d0", yAxisID: "y1" },
        { label: t.units, data: d.units, spanGaps: false, borderColor: "#9a6700", backgroundColor: "#9a6700", yAxisID: "y1" }
      ] },
      options: { plugins: { tooltip: tooltip }, scales: { y: { beginAtZero: true, ticks: ticks }, y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: ticks } } }
    });
    if (d.fund_in) {
      var million = function (a) { return a.map(function (v) { return Math.round(v / 100000) / 10; }); };
      new Chart(document.getElementById("chart-fund"), {
        type: "bar",
        data: { labels: t.months.split(" "), datasets: [
          { label: t.fund_in, data: million(d.fund_in), backgroundColor: "#1e7b34" },
          { label: t.fund_out, data: million(d.fund_out), backgroundColor: "#b3261e" }
        ] },
        options: { plugins: { tooltip: tooltip }, scales: { y: { beginAtZero: true, ticks: ticks } } }
      });
    } else { empty("chart-fund"); }
    if (d.children.length) {
      new Chart(document.getElementById("chart-progress"), {
        type: "bar",
        data: { labels: d.children.map(function (c) { return c.name.replace(/^Hội Khuyến học /, ""); }), datasets: [
          { label: t.reached, data: d.children.map(function (c) { return c.family_rate; }), backgroundColor: "#b3261e" },
          { label: t.target, data: d.children.map(function (c) { return c.family_target; }), backgroundColor: "#c9d3df" }
        ] },
        options: { indexAxis: "y", plugins: { tooltip: tooltip }, scales: {
          x: { beginAtZero: true, suggestedMax: 100 },
          y: { ticks: { autoSkip: false, callback: function (v) { var l = this.getLabelForValue(v); return l.length > 16 ? l.slice(0, 15) + "…" : l; } } }
        } }
      });
    } else { empty("chart-progress"); }
  });
})();
