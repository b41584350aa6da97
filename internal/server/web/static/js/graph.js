// The link graph explorer (/graph). The server renders the search and its hits; this script
// keeps the canvas: the nodes and edges loaded so far (by node id, so nothing is drawn twice),
// drawn with an ECharts graph series. Up to FORCE_MAX nodes ECharts' force layout animates the
// picture; above that the layout is computed once, in a worker (graph-layout.js), and drawn
// without per-frame layout, labels only for the top-ranked nodes until the user zooms in.
// Every piece comes from the JSON API (/api/v1/graph/…), which masks identifiers as for any
// other answer; a node is named to the API as node:ID, never by its identifier.
(function () {
  "use strict";

  var FORCE_MAX = 300;    // above this many nodes, lay out once in the worker
  var ALL_LABELS = 60;    // up to this many nodes every label is shown
  var TOP_LABELS = 30;    // above it, only the top-ranked nodes' labels, until zoomed in
  var LABEL_ZOOM = 2.5;   // zoom from which every label is shown
  var EXPAND_LIMIT = 500; // most nodes one expansion adds
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"];
  var SYMBOLS = { person: "circle", company: "rect", "case": "rect", account: "roundRect", phone: "triangle",
    imei: "diamond", mac: "diamond", ip: "diamond", imsi: "pin", email: "pin", wallet: "arrow" };

  var root, canvas, chart, panel, status, pathForm, apiQuery;
  var nodes = new Map();  // id → node as the API gave it (+ x, y once laid out)
  var edges = new Map();  // "from>to>rel>label" → edge
  var stamp = "";         // the graph's size when the first piece came: a change means new data
  var selected = null, pathFrom = null, pathTo = null;
  var onPath = { nodes: new Set(), edges: new Set() };
  var sizeBy = "degree", zoom = 1, worker = null, layoutRun = 0;

  function t(key, vars) {
    var s = window.procura ? window.procura.t(key) : key;
    for (var k in vars || {}) { s = s.split("{" + k + "}").join(String(vars[k])); }
    return s;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function api(path, params) {
    var q = new URLSearchParams(params || {});
    new URLSearchParams(apiQuery).forEach(function (v, k) { q.set(k, v); });
    return fetch("/api/v1/graph/" + path + "?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error((body.error && body.error.message) || r.statusText); }
          return body;
        });
      });
  }

  // tiesAmong asks for every edge among the canvas's nodes and merges the missing ones: nodes
  // loaded by different requests may be tied to each other although no answer showed both.
  function tiesAmong() {
    var q = new URLSearchParams(apiQuery);
    return fetch("/api/v1/graph/edges?" + q.toString(), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": window.procura ? window.procura.csrf : "" },
      body: JSON.stringify({ nodes: Array.from(nodes.keys()) })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error && body.error.message) || r.statusText); }
        return merge({ graph: body.graph, nodes: [], edges: body.edges });
      });
    });
  }

  function failed(err) { say(t("graph.failed") + " " + err.message, true); }

  function checkStamp(g) {
    if (!g) { return true; }
    var s = g.nodes + "/" + g.edges;
    if (stamp && stamp !== s) { say(t("graph.changed"), true); return false; }
    stamp = s;
    return true;
  }

  function edgeKey(e) { return e.from + ">" + e.to + ">" + e.rel + ">" + (e.label || ""); }

  // merge adds a view's nodes and edges that are not on the canvas yet; it returns how many
  // nodes were new.
  function merge(view) {
    if (!checkStamp(view.graph)) { return -1; }
    var added = 0;
    (view.nodes || []).forEach(function (n) {
      var old = nodes.get(n.id);
      if (old) {
        if (old.community === undefined || old.community < 0) { n.x = old.x; n.y = old.y; nodes.set(n.id, n); }
        return;
      }
      nodes.set(n.id, n);
      added++;
    });
    (view.edges || []).forEach(function (e) {
      var k = edgeKey(e);
      if (!edges.has(k) && nodes.has(e.from) && nodes.has(e.to)) { edges.set(k, e); }
    });
    return added;
  }

  // addRef puts a node known only by its reference (a path's step) on the canvas.
  function addRef(r) {
    if (!nodes.has(r.id)) { nodes.set(r.id, { id: r.id, type: r.type, key: r.key, label: r.label, degree: 0, community: -1, rank: 0 }); }
  }

  function size(n) {
    var v = sizeBy === "rank" ? n.rank || 0 : n.degree || 0;
    var s = sizeBy === "rank" ? 6 + 7 * Math.log2(1 + v) : 6 + 3.5 * Math.log2(1 + v);
    return Math.min(s, 44);
  }

  function colour(n) { return n.community >= 0 ? PALETTE[n.community % PALETTE.length] : "#9aa5b1"; }

  function name(n) { return n.label || n.key; }

  // topRanked returns the ids whose labels are shown at any zoom on a large canvas.
  function topRanked(list) {
    var ids = new Set();
    list.slice().sort(function (a, b) { return (b.rank || 0) - (a.rank || 0); }).slice(0, TOP_LABELS)
      .forEach(function (n) { ids.add(n.id); });
    return ids;
  }

  // render draws the canvas. Small graphs animate with ECharts' force layout; large ones use
  // the positions the worker computed.
  function render() {
    var list = Array.from(nodes.values());
    var big = list.length > FORCE_MAX;
    if (big && list.some(function (n) { return n.x === undefined; })) { layOut(list); return; }
    var t0 = performance.now();
    canvas.setAttribute("data-rendered", "0");
    var index = new Map(), top = topRanked(list), dim = onPath.nodes.size > 0;
    var data = list.map(function (n, i) {
      index.set(n.id, i);
      var hot = onPath.nodes.has(n.id), d = {
        id: String(n.id), name: name(n), value: n.degree, symbol: SYMBOLS[n.type] || "circle", symbolSize: size(n),
        itemStyle: { color: colour(n), opacity: dim && !hot ? 0.2 : 1, borderColor: n.id === selected || hot ? "#000" : "#fff", borderWidth: n.id === selected || hot ? 2 : 0.5 },
        node: n
      };
      if (big) { d.x = n.x; d.y = n.y; }
      if (hot || n.id === selected || (list.length > ALL_LABELS && top.has(n.id))) { d.label = { show: true }; }
      return d;
    });
    var links = [];
    edges.forEach(function (e, k) {
      var hot = onPath.edges.has(k);
      links.push({ source: index.get(e.from), target: index.get(e.to), edge: e,
        lineStyle: hot ? { color: "#000", width: 3, opacity: 1 } : (dim ? { opacity: 0.08 } : undefined) });
    });
    var series = {
      type: "graph", id: "entities", data: data, links: links, roam: true, draggable: !big,
      layout: big ? "none" : "force",
      // Weaker repulsion and more gravity as the canvas fills, so that it stays in view.
      force: { repulsion: list.length < 60 ? 160 : list.length < 150 ? 90 : 45, edgeLength: [30, 100],
        gravity: list.length < 60 ? 0.08 : 0.2, layoutAnimation: true },
      label: { show: list.length <= ALL_LABELS || zoom >= LABEL_ZOOM, position: "right", fontSize: 11, formatter: "{b}" },
      labelLayout: { hideOverlap: true },
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 5,
      lineStyle: { color: "#7b8794", width: big ? 0.6 : 1, opacity: big ? 0.35 : 0.6, curveness: 0 },
      emphasis: { focus: "adjacency", label: { show: true }, lineStyle: { width: 2, opacity: 0.9 } },
      // ECharts' options for many items. Its graph series (6.1) has no incremental renderer and
      // draws everything at once whatever these say; what keeps 5,000 nodes interactive is the
      // layout computed once, no animation and labels hidden (measured: data-render-ms).
      large: big, progressive: 2000, progressiveThreshold: 3000, animation: !big
    };
    // The canvas says when the drawing is done and how long it took (browser tests read it).
    // "finished" comes once animation and progressive rendering are over; it is listened
    // for before setOption, which may draw at once.
    var done = function () {
      chart.off("finished", done);
      canvas.setAttribute("data-rendered", "1");
      canvas.setAttribute("data-nodes", String(list.length));
      canvas.setAttribute("data-edges", String(links.length));
      canvas.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
      canvas.setAttribute("data-layout", big ? "worker" : "force");
    };
    chart.off("finished");
    chart.on("finished", done);
    chart.setOption({ tooltip: { confine: true, formatter: tooltip }, animation: !big, series: [series] }, { replaceMerge: ["series"] });
    say(t("graph.status", { nodes: list.length, edges: links.length }));
  }

  function tooltip(p) {
    var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
    if (p.dataType === "edge") {
      var e = p.data.edge;
      return esc(e.rel + (e.label ? " · " + e.label : "") + (e.rows ? " · " + e.rows : ""));
    }
    var n = p.data.node;
    return esc(t("graph.type." + n.type)) + "<br>" + esc(n.key) + (n.label ? "<br>" + esc(n.label) : "") +
      "<br>" + esc(t("graph.f_degree")) + ": " + n.degree;
  }

  // layOut runs the worker on the canvas's nodes (those laid out already stay where they are
  // as far as the forces allow), then draws.
  function layOut(list) {
    keepForcePositions();
    var n = list.length, pos = new Map(), run = ++layoutRun;
    list.forEach(function (nd, i) { pos.set(nd.id, i); });
    var x = new Float64Array(n), y = new Float64Array(n), comm = new Int32Array(n), placed = 0;
    list.forEach(function (nd, i) {
      x[i] = nd.x === undefined ? NaN : nd.x; y[i] = nd.y === undefined ? NaN : nd.y;
      comm[i] = nd.community; if (nd.x !== undefined) { placed++; }
    });
    var pairs = [];
    edges.forEach(function (e) { pairs.push(pos.get(e.from), pos.get(e.to)); });
    say(t("graph.layout", { n: n }));
    worker = worker || new Worker("/static/js/graph-layout.js");
    worker.onmessage = function (ev) {
      if (run !== layoutRun) { return; } // a newer layout is on its way
      list.forEach(function (nd, i) { nd.x = ev.data.x[i]; nd.y = ev.data.y[i]; });
      canvas.setAttribute("data-layout-ms", String(ev.data.ms));
      render();
    };
    var settled = placed > n * 0.8;
    worker.postMessage({ n: n, x: x, y: y, edges: new Int32Array(pairs), community: comm, iterations: settled ? 50 : (n > 2000 ? 120 : 200), settled: settled });
  }

  // keepForcePositions copies where ECharts' force layout has put the nodes, so that a canvas
  // growing past FORCE_MAX keeps its picture and the worker only places the newcomers.
  function keepForcePositions() {
    var model = chart.getModel && chart.getModel(), series = model && model.getSeriesByIndex(0);
    if (!series || series.get("layout") !== "force") { return; }
    var data = series.getData();
    for (var i = 0; i < data.count(); i++) {
      var item = data.getRawDataItem(i), at = data.getItemLayout(i), n = item && nodes.get(item.node.id);
      if (n && n.x === undefined && at && isFinite(at[0]) && isFinite(at[1])) { n.x = at[0]; n.y = at[1]; }
    }
  }

  function select(id) {
    var n = nodes.get(id);
    if (!n) { return; }
    selected = id;
    panel.hidden = false;
    var f = function (k, v) { var el = panel.querySelector('[data-field="' + k + '"]'); if (el) { el.textContent = v; } };
    f("title", name(n)); f("type", t("graph.type." + n.type)); f("key", n.key); f("degree", String(n.degree));
    f("rank", (n.rank || 0).toFixed(2)); f("community", n.community >= 0 ? String(n.community) : "—"); f("ties", "…");
    var ul = panel.querySelector('[data-field="cases"]');
    ul.textContent = "…";
    // The panel narrows the canvas. The canvas is not redrawn for a selection: a redraw
    // restarts the force layout, and the second click of a double-click would miss its node.
    chart.resize();
    api("entity", { entity: "node:" + id }).then(function (d) {
      if (selected !== id) { return; }
      f("ties", Object.keys(d.edges_by_relation).sort().map(function (k) { return k + " " + d.edges_by_relation[k]; }).join(", "));
      ul.textContent = "";
      if (!d.cases.length) { var li = document.createElement("li"); li.textContent = t("graph.no_cases"); ul.appendChild(li); }
      d.cases.forEach(function (c) {
        var li = document.createElement("li");
        li.textContent = name(c.case) + (c.role ? " · " + c.role : "") + (c.via ? " (" + t("graph.via") + " " + name(c.via) + ")" : "");
        ul.appendChild(li);
      });
    }).catch(failed);
  }

  // load asks for a view and merges it into the canvas.
  function load(path, params, then) {
    say(t("graph.loading"));
    var before = nodes.size;
    return api(path, params).then(function (view) {
      var added = merge(view);
      if (added < 0) { return; }
      return (before > 0 && added > 0 ? tiesAmong() : Promise.resolve(0)).then(function () { return view; });
    }).then(function (view) {
      if (!view) { return; }
      var added = nodes.size - before;
      render();
      var msg = t("graph.status", { nodes: nodes.size, edges: edges.size }) + " " + t("graph.added", { n: added });
      if (view.truncated) { msg += " " + t("graph.truncated"); }
      if (nodes.size > FORCE_MAX && nodes.size - added > 0 && Array.from(nodes.values()).some(function (n) { return n.x === undefined; })) {
        msg = t("graph.layout", { n: nodes.size });
      }
      say(msg);
      if (then) { then(view); }
    }).catch(failed);
  }

  function expand(id) { return load("neighbourhood", { entity: "node:" + id, depth: 1, limit: EXPAND_LIMIT }); }

  function putOnCanvas(id) {
    say(t("graph.loading"));
    api("entity", { entity: "node:" + id }).then(function (d) {
      var before = nodes.size, added = merge({ graph: d.graph, nodes: [d.node] });
      if (added < 0) { return; }
      (before > 0 && added > 0 ? tiesAmong() : Promise.resolve(0)).then(function () {
        render();
        select(d.node.id);
      }).catch(failed);
    }).catch(failed);
  }

  function showEnd(which, id) {
    var out = pathForm.querySelector('[data-path-end="' + which + '"]');
    var n = nodes.get(id);
    out.textContent = n ? t("graph.type." + n.type) + " " + name(n) : t("graph.path_none");
  }

  function findPath() {
    if (pathFrom === null || pathTo === null) { say(t("graph.path_pick"), true); return; }
    var hops = pathForm.querySelector('[name="max_hops"]').value || "8";
    say(t("graph.loading"));
    api("path", { from: "node:" + pathFrom, to: "node:" + pathTo, max_hops: hops }).then(function (res) {
      if (!checkStamp(res.graph)) { return; }
      onPath = { nodes: new Set(), edges: new Set() };
      res.steps.forEach(function (s) {
        addRef(s.from); addRef(s.to);
        // A step names its edge in the direction walked; the canvas keeps it as stored.
        var e = s.forward ? { from: s.from.id, to: s.to.id, rel: s.rel, label: s.label || "" } : { from: s.to.id, to: s.from.id, rel: s.rel, label: s.label || "" };
        var k = edgeKey(e);
        if (!edges.has(k)) { edges.set(k, e); }
        onPath.nodes.add(s.from.id); onPath.nodes.add(s.to.id); onPath.edges.add(k);
      });
      canvas.setAttribute("data-path", Array.from(onPath.nodes).join(","));
      render();
      say(t("graph.path_found", { n: res.steps.length }));
    }).catch(failed);
  }

  function clearPath() {
    onPath = { nodes: new Set(), edges: new Set() };
    canvas.removeAttribute("data-path");
    render();
  }

  function clearAll() {
    nodes.clear(); edges.clear(); stamp = ""; selected = null; pathFrom = pathTo = null; zoom = 1;
    onPath = { nodes: new Set(), edges: new Set() };
    canvas.removeAttribute("data-path");
    showEnd("from", null); showEnd("to", null);
    panel.hidden = true;
    chart.clear();
    chart.resize();
    canvas.setAttribute("data-nodes", "0");
    say(t("graph.empty"));
  }

  function init() {
    root = document.getElementById("graph-explorer");
    if (!root || !window.echarts) { return; }
    canvas = document.getElementById("graph-canvas");
    panel = root.querySelector('[data-testid="node-panel"]');
    status = root.querySelector('[data-role="status"]');
    pathForm = root.querySelector('[data-testid="graph-path-form"]');
    apiQuery = root.getAttribute("data-api-query") || "";
    chart = window.echarts.init(canvas, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });

    chart.on("click", function (p) { if (p.dataType === "node") { select(p.data.node.id); } });
    chart.on("dblclick", function (p) { if (p.dataType === "node") { expand(p.data.node.id); } });
    // Level of detail: every label only once zoomed in far enough.
    chart.on("graphRoam", function (p) {
      if (!p.zoom) { return; }
      var was = zoom >= LABEL_ZOOM;
      zoom *= p.zoom;
      if ((zoom >= LABEL_ZOOM) !== was && nodes.size > ALL_LABELS) {
        chart.setOption({ series: [{ id: "entities", label: { show: zoom >= LABEL_ZOOM } }] });
      }
    });

    // Hits are rendered by the server (and replaced by htmx): one listener for all of them.
    root.addEventListener("click", function (e) {
      var hit = e.target.closest(".graph-hit");
      if (hit) { putOnCanvas(Number(hit.getAttribute("data-node"))); return; }
      var b = e.target.closest("[data-action]");
      if (!b) { return; }
      switch (b.getAttribute("data-action")) {
        case "expand": if (selected !== null) { expand(selected); } break;
        case "path-from": pathFrom = selected; showEnd("from", selected); break;
        case "path-to": pathTo = selected; showEnd("to", selected); break;
        case "path-clear": e.preventDefault(); clearPath(); break;
        case "collisions": load("collision-view", { limit: 1000 }); break;
        case "clear": clearAll(); break;
      }
    });
    pathForm.addEventListener("submit", function (e) { e.preventDefault(); findPath(); });
    root.querySelector('[data-role="neighbourhood"]').addEventListener("submit", function (e) {
      e.preventDefault();
      if (selected === null) { return; }
      var f = e.target;
      load("neighbourhood", { entity: "node:" + selected, depth: f.depth.value, limit: f.limit.value });
    });
    root.querySelector('[data-role="size-by"]').addEventListener("change", function (e) {
      sizeBy = e.target.value;
      if (nodes.size) { render(); }
    });

    // /graph?entity=…&depth=…&limit=… opens with that neighbourhood drawn (links from other
    // pages, and the browser tests' 5,000-node measurement).
    var qs = new URLSearchParams(location.search);
    if (qs.get("entity")) {
      load("neighbourhood", { entity: qs.get("entity"), depth: qs.get("depth") || "1", limit: qs.get("limit") || "500" }, function (v) {
        if (v.seeds && v.seeds.length) { selected = v.seeds[0].id; }
      });
    } else if (qs.get("view") === "collisions") {
      load("collision-view", { limit: qs.get("limit") || "1000" });
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
