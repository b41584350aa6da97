// Dashboard charts that app.js's vertical bars do not suit: model titles are long, so new
// clues by model are horizontal bars, one row per model, the chart as tall as its rows.
(function () {
  "use strict";
  function draw(el) {
    if (!window.echarts || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var labels = JSON.parse(el.getAttribute("data-labels") || "[]");
    var values = JSON.parse(el.getAttribute("data-values") || "[]");
    // ECharts draws the first category at the bottom: reverse so the largest leads.
    labels.reverse(); values.reverse();
    el.style.height = Math.max(120, 28 * labels.length + 50) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false, grid: { left: 10, right: 40, top: 10, bottom: 30, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, axisLabel: { width: 420, overflow: "truncate" } },
      tooltip: {}, series: [{ type: "bar", data: values, label: { show: true, position: "right" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-chart="hbar"]').forEach(draw);
  });
})();
