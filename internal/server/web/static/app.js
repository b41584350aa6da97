// procura's own script: no inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  // Every htmx request carries the session's CSRF token.
  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf) { e.detail.headers["X-CSRF-Token"] = csrf; }
  });

  // procura.t(key) gives the catalogue's text in the page's language (web/messages/*.json);
  // procura.csrf is the session's CSRF token for fetch calls.
  window.procura = {
    csrf: csrf,
    t: function (key) { var m = window.PROCURA_MESSAGES || {}; return m[key] !== undefined ? m[key] : key; }
  };

  function text(el, sel, v) { var n = el.querySelector(sel); if (n) { n.textContent = v; } }

  // A job card follows its job over Server-Sent Events; the state lives in the server, so a
  // reload simply reconnects and shows where the job is.
  function follow(card) {
    var id = card.getAttribute("data-job");
    if (!id || card.getAttribute("data-status") !== "running" || card.dataset.following) { return; }
    card.dataset.following = "1";
    var es = new EventSource("/api/v1/jobs/" + encodeURIComponent(id) + "/events");
    es.addEventListener("job", function (ev) {
      var j = JSON.parse(ev.data);
      card.setAttribute("data-status", j.status);
      text(card, ".status", window.procura.t(["job", j.status].join("."))); // job.running, job.done …, as the template shows it
      text(card, ".phase", j.phase || "");
      text(card, ".done", String(j.done));
      text(card, ".total", j.total > 0 ? String(j.total) : "");
      text(card, ".error", j.error || "");
      var bar = card.querySelector("progress");
      if (bar) { bar.max = j.total > 0 ? j.total : 1; bar.value = j.total > 0 ? j.done : (j.status === "running" ? 0 : 1); }
      if (j.status !== "running") {
        es.close();
        var c = card.querySelector("form.cancel"); if (c) { c.remove(); }
        if (j.result) {
          var r = j.result, parts = [];
          ["rows_read", "rows_imported", "rows_rejected", "rows_duplicate", "transactions", "persons"].forEach(function (k) {
            if (r[k] !== undefined) { parts.push(k + ": " + r[k]); }
          });
          text(card, ".result", parts.join(" · "));
        }
      }
    });
    es.onerror = function () { es.close(); card.dataset.following = ""; setTimeout(function () { follow(card); }, 2000); };
  }

  // Cancel without leaving the page.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.classList || !f.classList.contains("cancel")) { return; }
    e.preventDefault();
    var id = f.closest("[data-job]").getAttribute("data-job");
    fetch("/api/v1/jobs/" + encodeURIComponent(id), { method: "DELETE", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
  });

  function charts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll('[data-chart="bar"]').forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var labels = JSON.parse(el.getAttribute("data-labels") || "[]");
      var values = JSON.parse(el.getAttribute("data-values") || "[]");
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false, grid: { left: 60, right: 20, top: 20, bottom: 60 },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: 30 } },
        yAxis: { type: "value" }, tooltip: {}, series: [{ type: "bar", data: values }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function init(root) {
    root.querySelectorAll("[data-job]").forEach(follow);
    charts(root);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
