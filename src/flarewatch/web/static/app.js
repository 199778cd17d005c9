// Flarewatch page behaviour: auto-submitting selects and the dashboard charts.
// Everything works without this file except the charts; it only adds convenience.
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Copy buttons (a public update page's link): hidden without script or clipboard, where the
  // read-only field itself can still be selected and copied.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });

  var dataEl = document.getElementById("chart-data");
  if (!dataEl || typeof Chart === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var text = JSON.parse(document.getElementById("chart-text").textContent);
  var rtl = document.documentElement.dir === "rtl";
  var css = getComputedStyle(document.documentElement);
  var color = function (name) { return css.getPropertyValue(name).trim(); };
  var severityColor = { crisis: color("--crisis"), warning: "#d98b1a", watch: color("--watch") };

  Chart.defaults.font.family = css.fontFamily;
  Chart.defaults.color = color("--muted");
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : Chart.defaults.animation;

  // Right-to-left: time runs from right to left, the value axis sits on the right, and legends
  // and tooltips read right-to-left, like every other part of a Hebrew page.
  function axes(stacked) {
    return {
      x: { reverse: rtl, stacked: stacked, ticks: { maxRotation: 0, autoSkipPadding: 16 }, grid: { display: false } },
      y: { position: rtl ? "right" : "left", beginAtZero: true, stacked: stacked, ticks: { precision: 0 } },
    };
  }
  var common = {
    plugins: { legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr", labels: { boxWidth: 12 } },
               tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" } },
    interaction: { mode: "index", intersect: false },
  };
  function options(extra) { return Object.assign({}, common, extra); }

  var lastIndex = data.labels.length - 1;
  if (data.partial && lastIndex >= 0) data.labels[lastIndex] += " (" + text.partial + ")";

  var volume = document.getElementById("chart-volume");
  if (volume) {
    var markers = data.labels.map(function () { return null; });
    var markerColors = data.labels.map(function () { return "transparent"; });
    var markerTitles = {};
    data.alerts.forEach(function (a) {
      markers[a.index] = data.volume[a.index];
      markerColors[a.index] = severityColor[a.severity] || severityColor.watch;
      markerTitles[a.index] = (markerTitles[a.index] ? markerTitles[a.index] + " · " : "") + a.title;
    });
    new Chart(volume, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: text.band, data: data.bandLow, borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
          { label: text.band, data: data.bandHigh, borderWidth: 0, pointRadius: 0, fill: "-1",
            backgroundColor: "rgba(11, 87, 208, 0.12)", spanGaps: false },
          { label: text.volume, data: data.volume, borderColor: color("--accent"), backgroundColor: color("--accent"),
            borderWidth: 2, pointRadius: 0, tension: 0.25,
            // The last interval is still filling: dashed, so a low count there is not read as a drop.
            segment: { borderDash: function (ctx) { return data.partial && ctx.p1DataIndex === lastIndex ? [6, 4] : undefined; } } },
          { label: text.alerts, data: markers, showLine: false, pointStyle: "triangle", pointRadius: 9,
            pointHoverRadius: 11, pointBackgroundColor: markerColors, pointBorderColor: "#fff", borderColor: severityColor.crisis,
            backgroundColor: severityColor.crisis },
        ],
      },
      options: options({
        scales: axes(false),
        plugins: Object.assign({}, common.plugins, {
          legend: Object.assign({}, common.plugins.legend, {
            labels: { boxWidth: 12, filter: function (item) { return item.datasetIndex !== 0; } },
          }),
          tooltip: Object.assign({}, common.plugins.tooltip, {
            filter: function (item) { return item.datasetIndex >= 2 && item.raw !== null; },
            callbacks: { afterBody: function (items) { return items.length && markerTitles[items[0].dataIndex] || ""; } },
          }),
        }),
      }),
    });
  }

  var sentiment = document.getElementById("chart-sentiment");
  if (sentiment) {
    var tones = [["negative", color("--neg")], ["neutral", "#9aa4b1"], ["positive", color("--pos")]];
    new Chart(sentiment, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: tones.map(function (t) {
          return { label: text[t[0]], data: data.sentiment[t[0]] || [], backgroundColor: t[1], borderWidth: 0 };
        }),
      },
      options: options({ scales: axes(true) }),
    });
  }

  var palette = ["#0b57d0", "#d98b1a", "#1e6b3a", "#b42318", "#6b3fa0", "#00838f", "#5a6472", "#ad1457"];
  var share = document.getElementById("chart-share");
  if (share && data.share.length) {
    new Chart(share, {
      type: "doughnut",
      data: {
        labels: data.share.map(function (s) { return s.label; }),
        datasets: [{ data: data.share.map(function (s) { return s.value; }), backgroundColor: palette }],
      },
      options: options({ interaction: {}, plugins: Object.assign({}, common.plugins, {
        legend: Object.assign({}, common.plugins.legend, { position: "bottom" }) }) }),
    });
  }

  var platforms = document.getElementById("chart-platforms");
  if (platforms && data.platforms.length) {
    new Chart(platforms, {
      type: "bar",
      data: {
        labels: data.platforms.map(function (p) { return p.label; }),
        datasets: [{ label: text.volume, data: data.platforms.map(function (p) { return p.value; }),
                     backgroundColor: palette[0] }],
      },
      options: options({
        indexAxis: "y",
        plugins: Object.assign({}, common.plugins, { legend: { display: false } }),
        scales: {
          x: { reverse: rtl, beginAtZero: true, ticks: { precision: 0 } },
          y: { position: rtl ? "right" : "left", grid: { display: false } },
        },
      }),
    });
  }
})();
