// Layout worker of the link graph explorer (graph.js): a force-directed layout (Fruchterman
// and Reingold 1991) run a fixed number of times, off the page's thread, for graphs too large
// for ECharts' per-frame force layout. Repulsion is approximated with a quadtree (Barnes-Hut),
// so one iteration costs O(n log n + m) instead of O(n²). A grid that only let neighbouring
// cells repel was tried first: attraction packed the nodes into a few cells and 5,000 nodes
// took 14 s.
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

// Quadtree for Barnes-Hut repulsion (Barnes and Hut 1986): a cell far enough away (its size
// over its distance below THETA) pushes as one body of its nodes' count at their centre, so
// one pass costs O(n log n) instead of O(n²), whatever the density.
var THETA = 0.9;

function Tree(n) {
  var cap = 4 * n + 8;
  this.cx = new Float64Array(cap); this.cy = new Float64Array(cap); // mass centre
  this.mass = new Float64Array(cap); this.size = new Float64Array(cap);
  this.x0 = new Float64Array(cap); this.y0 = new Float64Array(cap);
  this.child = new Int32Array(cap * 4); this.leaf = new Int32Array(cap); this.used = 0;
}

Tree.prototype.cell = function (x0, y0, size) {
  var c = this.used++;
  this.x0[c] = x0; this.y0[c] = y0; this.size[c] = size; this.mass[c] = 0; this.cx[c] = 0; this.cy[c] = 0;
  this.leaf[c] = -1; this.child[4 * c] = this.child[4 * c + 1] = this.child[4 * c + 2] = this.child[4 * c + 3] = -1;
  return c;
};

Tree.prototype.build = function (x, y, n) {
  var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, i;
  for (i = 0; i < n; i++) {
    if (x[i] < minX) { minX = x[i]; } if (x[i] > maxX) { maxX = x[i]; }
    if (y[i] < minY) { minY = y[i]; } if (y[i] > maxY) { maxY = y[i]; }
  }
  if (this.mass.length < 4 * n + 8) { Tree.call(this, n); }
  this.used = 0;
  var root = this.cell(minX, minY, Math.max(maxX - minX, maxY - minY, 1) * 1.0001);
  for (i = 0; i < n; i++) { this.insert(root, i, x, y, 0); }
  return root;
};

Tree.prototype.quad = function (c, px, py) {
  var h = this.size[c] / 2;
  return (px >= this.x0[c] + h ? 1 : 0) + (py >= this.y0[c] + h ? 2 : 0);
};

Tree.prototype.insert = function (c, i, x, y, depth) {
  for (;;) {
    var m = this.mass[c];
    this.cx[c] = (this.cx[c] * m + x[i]) / (m + 1); this.cy[c] = (this.cy[c] * m + y[i]) / (m + 1); this.mass[c] = m + 1;
    if (m === 0) { this.leaf[c] = i; return; }
    if (depth > 40) { return; } // nodes on one spot: counted in the mass, not split further
    if (this.leaf[c] >= 0) { // split: move the leaf's node down first
      var j = this.leaf[c]; this.leaf[c] = -1;
      var qj = this.quad(c, x[j], y[j]), ch = this.child[4 * c + qj];
      if (ch < 0) { ch = this.child[4 * c + qj] = this.sub(c, qj); }
      this.addOnly(ch, j, x, y);
    }
    var q = this.quad(c, x[i], y[i]), nc = this.child[4 * c + q];
    if (nc < 0) { nc = this.child[4 * c + q] = this.sub(c, q); }
    c = nc; depth++;
  }
};

// addOnly puts node j into an empty cell (a split moves the old leaf there).
Tree.prototype.addOnly = function (c, j, x, y) {
  this.cx[c] = x[j]; this.cy[c] = y[j]; this.mass[c] = 1; this.leaf[c] = j;
};

Tree.prototype.sub = function (c, q) {
  var h = this.size[c] / 2;
  return this.cell(this.x0[c] + (q & 1 ? h : 0), this.y0[c] + (q & 2 ? h : 0), h);
};

// push adds the repulsion on node i (K²/d, as Fruchterman and Reingold) to dx, dy. The arrays
// are read into locals and the stack is a typed array: this loop is the layout's cost.
Tree.prototype.push = function (root, i, x, y, dx, dy) {
  var mass = this.mass, leaf = this.leaf, cx = this.cx, cy = this.cy, size = this.size, child = this.child;
  var stack = this.stack || (this.stack = new Int32Array(4096)), top = 0, K2 = K * K, T2 = THETA * THETA;
  var xi = x[i], yi = y[i], fx = 0, fy = 0;
  stack[top++] = root;
  while (top > 0) {
    var c = stack[--top];
    if (mass[c] === 0 || leaf[c] === i) { continue; }
    var ex = xi - cx[c], ey = yi - cy[c], d2 = ex * ex + ey * ey;
    if (leaf[c] >= 0 || size[c] * size[c] < T2 * d2) {
      if (d2 < 0.01) { ex = Math.random() - 0.5; ey = Math.random() - 0.5; d2 = 0.5; }
      var f = mass[c] * K2 / d2; // k²/d along the unit vector
      fx += ex * f; fy += ey * f;
      continue;
    }
    if (top + 4 > stack.length) { var bigger = new Int32Array(stack.length * 2); bigger.set(stack); stack = this.stack = bigger; }
    for (var q = 4 * c; q < 4 * c + 4; q++) { if (child[q] >= 0) { stack[top++] = child[q]; } }
  }
  dx[i] += fx; dy[i] += fy;
};

function layout(msg) {
  var n = msg.n, x = msg.x, y = msg.y, e = msg.edges, it = msg.iterations, i, p;
  var adj = [];
  for (i = 0; i < n; i++) { adj.push([]); }
  for (p = 0; p < e.length; p += 2) { adj[e[p]].push(e[p + 1]); adj[e[p + 1]].push(e[p]); }
  place(n, x, y, adj, msg.community);
  var dx = new Float64Array(n), dy = new Float64Array(n), tree = new Tree(n);
  var t = msg.settled ? K : K * Math.sqrt(n) / 4, cool = t / (it + 1);
  for (var step = 0; step < it; step++) {
    dx.fill(0); dy.fill(0);
    var root = tree.build(x, y, n);
    for (i = 0; i < n; i++) { tree.push(root, i, x, y, dx, dy); }
    for (p = 0; p < e.length; p += 2) {
      var u = e[p], v = e[p + 1], ex = x[u] - x[v], ey = y[u] - y[v];
      var d = Math.sqrt(ex * ex + ey * ey) || 0.01, a = d / K; // d²/k along the unit vector
      dx[u] -= ex * a; dy[u] -= ey * a; dx[v] += ex * a; dy[v] += ey * a;
    }
    for (i = 0; i < n; i++) {
      // A little gravity keeps components from drifting apart for ever.
      dx[i] -= x[i] * 0.02; dy[i] -= y[i] * 0.02;
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
