// The fund-flow page (/trace): follows a trace job, loads its result when it ends, and draws
// it as a Sankey or as a layered graph. No inline scripts: everything is wired from here.
(function () {
  "use strict";
  var t = function (k) { return window.procura ? window.procura.t(k) : k; };

  // htmx does not swap error answers; the form's 400 (wrong fields) is meant to be shown.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 400 && e.detail.requestConfig && e.detail.requestConfig.elt &&
        e.detail.requestConfig.elt.id === "trace-form") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Only the fields of the chosen kind of seed are shown.
  function seedFields(form) {
    var checked = form.querySelector('input[name="seed"]:checked');
    var mode = checked ? checked.value : "tx";
    form.querySelectorAll("[data-seed]").forEach(function (el) { el.hidden = el.getAttribute("data-seed") !== mode; });
  }

  // When the job card in a trace slot reports the end of the job, the result is fetched in
  // place (app.js keeps the card's data-status up to date from the job's events).
  function watchSlot(slot) {
    if (slot.dataset.watching) { return; }
    slot.dataset.watching = "1";
    var card = slot.querySelector("[data-job]");
    var target = slot.querySelector(".trace-result-slot");
    if (!card || !target) { return; }
    var load = function () {
      if (card.getAttribute("data-status") !== "done" || target.querySelector(".trace-result") || slot.dataset.loading) { return; }
      slot.dataset.loading = "1";
      window.htmx.ajax("GET", "/trace/jobs/" + encodeURIComponent(card.getAttribute("data-job")), { target: target, swap: "innerHTML" });
    };
    new MutationObserver(load).observe(card, { attributes: true, attributeFilter: ["data-status"] });
    load();
  }

  // ---- drawing ----------------------------------------------------------------------------

  var levelColours = ["#8a1c1c", "#d9534f", "#f0ad4e", "#5cb85c", "#1f77b4", "#6f42c1", "#17a2b8", "#8c564b", "#e377c2", "#7f7f7f"];
  var exitColour = "#9aa5b1", otherColour = "#c7ced6";

  function colourOf(n) {
    if (n.role === "exit") { return exitColour; }
    if (n.role === "other") { return otherColour; }
    return levelColours[Math.max(0, n.level) % levelColours.length];
  }

  function labelOf(n) {
    if (n.role === "exit") { return t("funds.exit." + n.exit) + (n.channel ? " (" + n.channel + ")" : ""); }
    if (n.role === "other") { return n.name; }
    if (!n.account) { return t("funds.node.cash"); }
    return n.account + (n.holder ? " " + n.holder : "");
  }

  function amount(v) { return typeof v === "number" ? v : parseFloat(v || "0"); }
  function money(v) { return v === undefined || v === "" ? "" : amount(v).toFixed(2); }

  // reduce keeps, per level of the source node, the `keep` largest links and adds up the rest
  // into one "other" node per level (a sink, so the graph stays without cycles). Nodes left
  // without links are not drawn.
  function reduce(view, keep) {
    var byId = {};
    view.nodes.forEach(function (n) { byId[n.id] = n; });
    var groups = {};
    view.links.forEach(function (l) {
      var s = byId[l.source];
      var key = s.role === "exit" ? "x" : String(s.level);
      (groups[key] = groups[key] || []).push(l);
    });
    var links = [], others = [], used = {};
    Object.keys(groups).forEach(function (key) {
      var g = groups[key].slice().sort(function (a, b) { return amount(b.value) - amount(a.value); });
      var rest = g.slice(keep);
      g.slice(0, keep).forEach(function (l) { links.push(l); used[l.source] = used[l.target] = true; });
      if (!rest.length) { return; }
      var sum = 0;
      rest.forEach(function (l) { sum += amount(l.value); used[l.source] = true; });
      var lvl = key === "x" ? -1 : parseInt(key, 10) + 1;
      var id = "other-" + key;
      others.push({ id: id, name: t("funds.node.other") + " (" + rest.length + ")", role: "other", level: lvl, links: rest.length, value: sum });
      var bySource = {};
      rest.forEach(function (l) { bySource[l.source] = (bySource[l.source] || 0) + amount(l.value); });
      Object.keys(bySource).forEach(function (src) { links.push({ source: src, target: id, value: bySource[src], other: true }); });
      used[id] = true;
    });
    var nodes = view.nodes.filter(function (n) { return used[n.id]; }).concat(others);
    return { nodes: nodes, links: links, others: others };
  }

  function tooltip(p) {
    if (p.dataType === "edge") {
      var d = p.data;
      return (d.other ? t("funds.node.other") + ": " : "") + amount(d.value).toFixed(2) + (d.transactions ? " · " + d.transactions + " " + t("funds.col.transactions") : "");
    }
    var n = p.data.node || p.data;
    var s = labelOf(n);
    if (n.role === "account" || n.role === "seed") {
      s += "<br>" + t("funds.col.level") + " " + n.level + " · " + t("funds.col.in") + " " + money(n.attributed_in) + " · " + t("funds.col.out") + " " + money(n.attributed_out);
    }
    return s;
  }

  function sankeyOption(r) {
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: tooltip },
      series: [{
        type: "sankey", left: 10, right: 160, top: 10, bottom: 10, nodeGap: 6, draggable: true, layoutIterations: 16,
        emphasis: { focus: "adjacency" },
        label: { formatter: function (p) { return labelOf(p.data); }, fontSize: 11 },
        lineStyle: { color: "gradient", opacity: 0.45, curveness: 0.5 },
        data: r.nodes.map(function (n) {
          return { id: n.id, name: n.id, node: n, role: n.role, account: n.account, holder: n.holder, exit: n.exit, channel: n.channel,
            level: n.level, attributed_in: n.attributed_in, attributed_out: n.attributed_out, itemStyle: { color: colourOf(n) } };
        }),
        links: r.links.map(function (l) { return { source: l.source, target: l.target, value: amount(l.value), transactions: l.transactions, other: l.other }; })
      }]
    };
  }

  // column places a node: money flows left to right, so a backward trace is mirrored.
  function columns(r, backward) {
    var maxLevel = 0;
    r.nodes.forEach(function (n) { if (n.role !== "exit") { maxLevel = Math.max(maxLevel, n.level); } });
    return function (n) {
      if (n.role === "exit") { return backward ? 0 : maxLevel + 1; }
      var lvl = Math.max(0, n.level);
      return backward ? maxLevel + 1 - lvl : lvl;
    };
  }

  function layeredOption(r, backward, extra) {
    var col = columns(r, backward);
    var nodes = r.nodes.concat(extra.nodes);
    var value = {};
    r.links.concat(extra.links).forEach(function (l) {
      value[l.source] = (value[l.source] || 0) + amount(l.value);
      value[l.target] = (value[l.target] || 0) + amount(l.value);
    });
    var perCol = {};
    nodes.forEach(function (n) { var c = n.col !== undefined ? n.col : col(n); (perCol[c] = perCol[c] || []).push(n); });
    // ECharts fits the coordinates into the chart keeping their proportions: spread each
    // column over a height in proportion to the width, so that few nodes are not squashed.
    var cols = Object.keys(perCol).map(Number), most = 1;
    cols.forEach(function (c) { most = Math.max(most, perCol[c].length); });
    var width = (Math.max.apply(null, cols) - Math.min.apply(null, cols)) * 260 || 260;
    var gap = Math.max(46, width * 0.6 / most);
    var pos = {};
    cols.forEach(function (c) {
      var list = perCol[c].sort(function (a, b) { return (value[b.id] || 0) - (value[a.id] || 0); });
      list.forEach(function (n, i) { pos[n.id] = { x: c * 260, y: (i - (list.length - 1) / 2) * gap }; });
    });
    var maxV = 1;
    r.links.concat(extra.links).forEach(function (l) { maxV = Math.max(maxV, amount(l.value)); });
    var maxN = 1;
    Object.keys(value).forEach(function (k) { maxN = Math.max(maxN, value[k]); });
    return {
      animation: false,
      tooltip: { trigger: "item", formatter: tooltip },
      series: [{
        type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
        label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return labelOf(p.data.node); } },
        emphasis: { focus: "adjacency" },
        data: nodes.map(function (n) {
          return { id: n.id, name: n.id, node: n, x: pos[n.id].x, y: pos[n.id].y,
            symbolSize: 8 + 22 * Math.sqrt((value[n.id] || 0) / maxN), itemStyle: { color: colourOf(n) } };
        }),
        links: r.links.concat(extra.links).map(function (l) {
          return { source: l.source, target: l.target, value: amount(l.value), transactions: l.transactions, other: l.other,
            lineStyle: { width: 1 + 11 * amount(l.value) / maxV, opacity: 0.6, curveness: 0.1, type: l.expanded ? "dashed" : "solid" } };
        })
      }]
    };
  }

  // ---- one result -------------------------------------------------------------------------

  function setupResult(sec) {
    if (sec.dataset.ready || !window.echarts) { return; }
    sec.dataset.ready = "1";
    var job = sec.getAttribute("data-trace-job");
    var backward = sec.getAttribute("data-direction") === "backward";
    var sankeyEl = sec.querySelector('[data-testid="trace-sankey"]');
    var layeredEl = sec.querySelector('[data-testid="trace-layered"]');
    var panel = sec.querySelector('[data-testid="account-panel"]');
    var linksInput = sec.querySelector('[data-testid="links-per-level"]');
    var note = sec.querySelector('[data-testid="other-note"]');
    var state = { view: null, reduced: null, mode: "sankey", charts: {}, extra: { nodes: [], links: [] }, expanded: {} };

    function chartOf(el) {
      var c = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
      if (!el.dataset.clicks) {
        el.dataset.clicks = "1";
        c.on("click", function (p) { if (p.dataType !== "edge" && p.data) { showAccount(p.data.node || p.data); } });
      }
      return c;
    }

    function draw() {
      if (!state.view) { return; }
      var keep = Math.max(1, parseInt(linksInput.value, 10) || 20);
      state.reduced = reduce(state.view.sankey, keep);
      var hidden = state.reduced.others.reduce(function (s, o) { return s + o.links; }, 0);
      note.textContent = hidden ? t("funds.other.note").replace("{n}", String(hidden)) : "";
      var el = state.mode === "sankey" ? sankeyEl : layeredEl;
      var c = chartOf(el);
      c.setOption(state.mode === "sankey" ? sankeyOption(state.reduced) : layeredOption(state.reduced, backward, state.extra), true);
      c.resize();
      el.setAttribute("data-nodes", String(state.reduced.nodes.length + (state.mode === "sankey" ? 0 : state.extra.nodes.length)));
      el.setAttribute("data-rendered", "1");
    }

    function setMode(mode) {
      state.mode = mode;
      sankeyEl.hidden = mode !== "sankey";
      layeredEl.hidden = mode !== "layered";
      sec.querySelectorAll("[data-view]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === mode)); });
      draw();
    }

    function fact(dl, k, v) {
      var dt = document.createElement("dt"); dt.textContent = k;
      var dd = document.createElement("dd"); dd.textContent = v;
      dl.appendChild(dt); dl.appendChild(dd);
    }

    function row(tbody, cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
      tbody.appendChild(tr);
    }

    function showAccount(n) {
      if (!n || n.role === "exit" || n.role === "other" || !n.account) { return; }
      var res = state.view, acct = n.account_index >= 0 ? res.accounts[n.account_index] : null;
      panel.hidden = false;
      panel.querySelector(".panel-title").textContent = n.account;
      var dl = panel.querySelector(".panel-facts");
      dl.textContent = "";
      fact(dl, t("funds.col.holder"), n.holder || "—");
      fact(dl, t("funds.col.bank"), n.bank ? n.bank + (n.branch ? " · " + n.branch : "") : "—");
      fact(dl, t("funds.col.level"), String(n.level));
      fact(dl, t("funds.col.in_data"), t(n.in_data ? "funds.yes" : "funds.no"));
      fact(dl, t("funds.col.in"), money(n.attributed_in));
      fact(dl, t("funds.col.out"), money(n.attributed_out));
      fact(dl, t("funds.exit.cash_out"), money(n.cash_out));
      fact(dl, t("funds.col.retained"), money(n.retained));
      if (acct) { fact(dl, t("funds.col.first"), acct.first_time); fact(dl, t("funds.col.last"), acct.last_time); }
      var tb = panel.querySelector(".panel-seeds tbody");
      tb.textContent = "";
      (acct ? acct.seeds : []).forEach(function (s) {
        var seed = res.seeds[s.seed];
        row(tb, [seed ? seed.tx_id + " (" + seed.from + ")" : String(s.seed), money(s.in), money(s.out)]);
      });
      var btn = panel.querySelector(".expand");
      // Expanding follows money forward (what left the account after it arrived); a backward
      // trace asks where money came from, which these transfers do not answer.
      btn.hidden = backward || !n.in_data || !n.id || n.expanded;
      btn.onclick = function () { expand(n, acct); };
      panel.querySelector(".panel-transfers").hidden = true;
      panel.querySelector(".expand-note").textContent = "";
    }

    // expand fetches every transfer that left the account since the traced money first
    // reached it, lists them and adds them to the layered graph as dashed edges.
    function expand(n, acct) {
      var q = "job=" + encodeURIComponent(job) + "&node=" + encodeURIComponent(n.id);
      // A trace shown unmasked expands unmasked too (checked and audited again by the server).
      if (sec.getAttribute("data-unmasked") === "true") { q += "&unmask=1"; }
      if (acct && acct.first_time && !backward) { q += "&after=" + encodeURIComponent(acct.first_time); }
      var msg = panel.querySelector(".expand-note");
      msg.textContent = t("funds.panel.loading");
      fetch("/api/v1/trace/expand?" + q, { credentials: "same-origin" }).then(function (resp) {
        return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
      }).then(function (a) {
        if (!a.ok) { msg.textContent = a.body.error ? a.body.error.message : t("funds.panel.failed"); return; }
        var x = a.body, tb = panel.querySelector(".panel-transfers tbody");
        tb.textContent = "";
        x.transfers.forEach(function (tr) { row(tb, [tr.time, tr.to || t("funds.node.cash"), money(tr.amount), tr.channel || ""]); });
        panel.querySelector(".panel-transfers").hidden = false;
        msg.textContent = t("funds.panel.expanded").replace("{n}", String(x.transfers.length)).replace("{total}", String(x.total));
        merge(n, x.transfers);
      }).catch(function () { msg.textContent = t("funds.panel.failed"); });
    }

    function merge(n, transfers) {
      if (state.expanded[n.id]) { return; }
      state.expanded[n.id] = true;
      var col = columns(state.reduced, backward)(n) + (backward ? -1 : 1);
      var shown = {};
      state.reduced.nodes.concat(state.extra.nodes).forEach(function (m) { shown[m.id] = true; });
      transfers.forEach(function (tr, i) {
        var target = tr.node && shown[tr.node] ? tr.node : null;
        if (!target) {
          target = n.id + "-x" + i;
          state.extra.nodes.push({ id: target, role: "account", account: tr.to || "", holder: tr.to_holder || "", level: n.level + 1,
            in_data: tr.to_in_data, col: col, expanded: true, attributed_in: tr.amount, attributed_out: "" });
        }
        state.extra.links.push({ source: n.id, target: target, value: tr.amount, transactions: 1, expanded: true });
      });
      if (state.mode === "layered") { draw(); } else { setMode("layered"); }
    }

    sec.querySelectorAll("[data-view]").forEach(function (b) {
      b.addEventListener("click", function () { setMode(b.getAttribute("data-view")); });
    });
    linksInput.addEventListener("change", draw);
    panel.querySelector(".close").addEventListener("click", function () { panel.hidden = true; });
    var png = sec.querySelector('[data-testid="export-png"]');
    if (png) {
      // The picture is made in the browser from the chart on screen; nothing goes to the server.
      png.addEventListener("click", function () {
        var el = state.mode === "sankey" ? sankeyEl : layeredEl;
        var c = window.echarts.getInstanceByDom(el);
        if (c) { png.href = c.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }); }
      });
    }
    window.addEventListener("resize", function () {
      [sankeyEl, layeredEl].forEach(function (el) { var c = window.echarts.getInstanceByDom(el); if (c) { c.resize(); } });
    });
    fetch("/api/v1/jobs/" + encodeURIComponent(job), { credentials: "same-origin" }).then(function (resp) { return resp.json(); }).then(function (j) {
      if (!j.result || !j.result.sankey) { return; }
      state.view = j.result;
      draw();
    });
  }

  function init(root) {
    var form = root.querySelector("#trace-form");
    if (form && !form.dataset.wired) {
      form.dataset.wired = "1";
      form.addEventListener("change", function (e) { if (e.target.name === "seed") { seedFields(form); } });
      seedFields(form);
    }
    root.querySelectorAll("[data-trace-slot]").forEach(watchSlot);
    root.querySelectorAll(".trace-result[data-trace-job]").forEach(setupResult);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
})();
