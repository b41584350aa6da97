// Layout worker of the link graph explorer (graph.js): a force-directed layout (Fruchterman
// and Reingold 1991) run a fixed number of times, off the page's thread, for graphs too large
// for ECharts' per-frame force layout. Repulsion is computed only between nodes in the same or
// adjacent cells of a grid whose cells are twice the ideal edge length, so one iteration costs
// about O(n + m) instead of O(n²): 5,000 nodes take a fraction of a second.
//
// In:  {n, x: Float64Array, y: Float64Array (NaN = not placed yet), edges: Int32Array of
//       pairs, community: Int32Array, iterations, settled: bool (most nodes placed already:
//       start cool so that the picture does not jump)}
// Out: {x, y, ms}
"use strict";

var K = 30; // ideal edge length, in layout units

function place(n, x, y, adj, community) {
  // Nodes not placed yet go next to a placed neighbour (breadth-first, so a neighbourhood
  // grows from its seed outwards), else around their community's centre on a golden-angle
  // spiral, so communities start apart.
  var queue = [], placed = new Uint8Array(n), i, j;
  for (i = 0; i < n; i++) {
    if (!isNaN(x[i])) { placed[i] = 1; queue.push(i); }
  }
  function spread(from) {
    var fan = K * (1 + Math.sqrt(adj[from].length)) * 0.6;
    for (var k = 0; k < adj[from].length; k++) {
      var v = adj[from][k];
      if (placed[v]) { continue; }
      var a = Math.random() * 2 * Math.PI, r = fan * (0.5 + Math.random());
      x[v] = x[from] + r * Math.cos(a); y[v] = y[from] + r * Math.sin(a);
      placed[v] = 1; queue.push(v);
    }
  }
  for (var head = 0; head < queue.length; head++) { spread(queue[head]); }
  for (i = 0; i < n; i++) {
    if (placed[i]) { continue; }
    var c = Math.max(community[i], 0), ang = c * 2.39996, rad = K * 6 * Math.sqrt(c);
    x[i] = rad * Math.cos(ang) + (Math.random() - 0.5) * K;
    y[i] = rad * Math.sin(ang) + (Math.random() - 0.5) * K;
    placed[i] = 1; queue.push(i);
    for (j = queue.length - 1; j < queue.length; j++) { spread(queue[j]); }
  }
}

function layout(msg) {
  var n = msg.n, x = msg.x, y = msg.y, e = msg.edges, it = msg.iterations, i, p;
  var adj = [];
  for (i = 0; i < n; i++) { adj.push([]); }
  for (p = 0; p < e.length; p += 2) { adj[e[p]].push(e[p + 1]); adj[e[p + 1]].push(e[p]); }
  place(n, x, y, adj, msg.community);
  var dx = new Float64Array(n), dy = new Float64Array(n), cell = 2 * K;
  var t = msg.settled ? K : K * Math.sqrt(n) / 4, cool = t / (it + 1);
  for (var step = 0; step < it; step++) {
    dx.fill(0); dy.fill(0);
    var grid = new Map();
    for (i = 0; i < n; i++) {
      var key = Math.floor(x[i] / cell) * 100003 + Math.floor(y[i] / cell);
      var b = grid.get(key);
      if (b) { b.push(i); } else { grid.set(key, [i]); }
    }
    for (i = 0; i < n; i++) {
      var gx = Math.floor(x[i] / cell), gy = Math.floor(y[i] / cell);
      for (var ox = -1; ox <= 1; ox++) {
        for (var oy = -1; oy <= 1; oy++) {
          var nb = grid.get((gx + ox) * 100003 + gy + oy);
          if (!nb) { continue; }
          for (var q = 0; q < nb.length; q++) {
            var j = nb[q];
            if (j === i) { continue; }
            var ddx = x[i] - x[j], ddy = y[i] - y[j], d2 = ddx * ddx + ddy * ddy;
            if (d2 < 0.01) { ddx = Math.random() - 0.5; ddy = Math.random() - 0.5; d2 = 0.5; }
            if (d2 > cell * cell) { continue; }
            var f = K * K / d2; // k²/d, along the unit vector (ddx/d): k²·ddx/d²
            dx[i] += ddx * f; dy[i] += ddy * f;
          }
        }
      }
    }
    for (p = 0; p < e.length; p += 2) {
      var u = e[p], v = e[p + 1], ex = x[u] - x[v], ey = y[u] - y[v];
      var d = Math.sqrt(ex * ex + ey * ey) || 0.01, a = d / K; // d²/k along the unit vector
      dx[u] -= ex * a; dy[u] -= ey * a; dx[v] += ex * a; dy[v] += ey * a;
    }
    for (i = 0; i < n; i++) {
      // A little gravity keeps components from drifting apart for ever.
      dx[i] -= x[i] * 0.01; dy[i] -= y[i] * 0.01;
      var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
      if (len > 0) { var s = Math.min(len, t) / len; x[i] += dx[i] * s; y[i] += dy[i] * s; }
    }
    t = Math.max(t - cool, 0.5);
  }
}

self.onmessage = function (ev) {
  var t0 = Date.now();
  layout(ev.data);
  self.postMessage({ x: ev.data.x, y: ev.data.y, ms: Date.now() - t0 });
};
