// The link graph explorer: search a person of the synthetic world by name, put the hit on the
// canvas, expand its neighbours, then open the largest depth-2 neighbourhood of a top-ranked node
// (hundreds of nodes, laid out in the worker) and measure the page at that size: drawing and layout (the canvas's
// data-render-ms and data-layout-ms), a zoom step, a pan step and a hover, each from the input
// event to the next painted frame.
//
// With PROCURA_E2E_GRAPH_BENCH=1, e2e_test.go also imports a fan-out of 5,681 accounts within two
// hops of one (PROCURA_E2E_GRAPH_SEED); this flow then loads 5,000 of them, checks the canvas
// holds exactly that many and writes the figures to artifacts/graph-bench.json
// (docs/BENCHMARKS.md, "Web UI: graph explorer").
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, loggedIn } from "../lib.mjs";

const benchSeed = process.env.PROCURA_E2E_GRAPH_SEED || "";
const rounds = 5; // each interaction is timed this many times; the median is reported

// drawn waits for the canvas to finish a drawing and returns its attributes.
async function drawn(page, more = 0) {
  await page.waitForFunction((n) => {
    const c = document.querySelector('[data-testid="graph-canvas"]');
    return c.getAttribute("data-rendered") === "1" && Number(c.getAttribute("data-nodes")) > n;
  }, more, { timeout: 60000 });
  return page.$eval('[data-testid="graph-canvas"]', (c) => Object.fromEntries([...c.attributes].map((a) => [a.name, a.value])));
}

// frameAfter times, in the page, a wheel step at the canvas's centre (kind "zoom") or the
// pointer arriving on the highest-degree node ("hover") until the browser has painted the frame
// after it (two animation frames).
async function frameAfter(page, kind) {
  return page.evaluate(async (kind) => {
    const el = document.querySelector('[data-testid="graph-canvas"]');
    const chart = window.echarts.getInstanceByDom(el);
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const box = el.getBoundingClientRect();
    // The highest-degree node on screen: hovering it lights up the most ties.
    let best = -1, at = null;
    for (let i = 0; i < data.count(); i++) {
      const p = chart.convertToPixel({ seriesIndex: 0 }, data.getItemLayout(i));
      if (!p || p[0] < 0 || p[1] < 0 || p[0] > box.width || p[1] > box.height) continue;
      const d = data.getRawDataItem(i).node.degree;
      if (d > best) { best = d; at = p; }
    }
    const x = box.left + (kind === "hover" && at ? at[0] : box.width / 2);
    const y = box.top + (kind === "hover" && at ? at[1] : box.height / 2);
    const target = document.elementFromPoint(x, y);
    const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    // A roam is kept in the series' zoom and center.
    const view = () => {
      const opt = chart.getModel().getSeriesByIndex(0).option;
      return JSON.stringify([opt.zoom, opt.center]);
    };
    const before = view();
    let t0;
    if (kind === "zoom") {
      t0 = performance.now();
      target.dispatchEvent(new WheelEvent("wheel", { clientX: x, clientY: y, deltaY: -100, deltaMode: 0, bubbles: true, cancelable: true }));
    } else {
      target.dispatchEvent(new MouseEvent("mousemove", { clientX: x - 30, clientY: y - 30, bubbles: true }));
      await painted();
      t0 = performance.now();
      target.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y, bubbles: true }));
    }
    await painted();
    const ms = performance.now() - t0;
    await painted();
    // The event must have done its work: the view moved, or (hover) a node is lit.
    const worked = kind === "hover" ? Boolean(chart.getZr().handler._hovered) : view() !== before;
    return worked ? ms : -1;
  }, kind);
}

// largestNeighbourhood returns, of the ten nodes of highest PageRank, the one with the most nodes
// within two hops (the world's busiest mule accounts; the imported bank statement's may rank high
// with few).
async function largestNeighbourhood(t) {
  const rank = await (await t.page.request.get(t.url("/api/v1/graph/rank?limit=10"))).json();
  let best = "", most = -1;
  for (const n of rank.top) {
    const v = await (await t.page.request.get(t.url(`/api/v1/graph/neighbourhood?entity=node:${n.id}&depth=2&limit=5000`))).json();
    if (v.nodes.length > most) { best = "node:" + n.id; most = v.nodes.length; }
  }
  return best;
}

// panFrame times a pan step made with the real mouse (press on empty canvas, move 40 px):
// from the move's arrival in the page to the frame painted after it.
async function panFrame(page, skip = 0) {
  const start = await page.evaluate((skip) => {
    const el = document.querySelector('[data-testid="graph-canvas"]');
    const chart = window.echarts.getInstanceByDom(el);
    const box = el.getBoundingClientRect();
    const zr = chart.getZr();
    // A press on a node or edge does not pan, nor one outside the drawing: the free point
    // nearest the centre.
    for (let r = 0; r < Math.min(box.width, box.height) / 2; r += 4) {
      for (let a = 0; a < 360; a += 30) {
        const px = box.width / 2 + r * Math.cos((a * Math.PI) / 180), py = box.height / 2 + r * Math.sin((a * Math.PI) / 180);
        if (!zr.handler.findHover(px, py).target && skip-- <= 0) {
          const opt = chart.getModel().getSeriesByIndex(0).option;
          return { x: box.left + px, y: box.top + py, view: JSON.stringify([opt.zoom, opt.center]) };
        }
      }
    }
    return null;
  }, skip * 7);
  assert(start, "the canvas has no free point to pan from");
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.evaluate(() => {
    window.__pan = {};
    document.addEventListener("mousemove", () => {
      window.__pan.t0 = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__pan.t1 = performance.now(); }));
    }, { capture: true, once: true });
  });
  await page.mouse.move(start.x + 40, start.y, { steps: 4 });
  await page.waitForFunction(() => window.__pan.t1);
  await page.mouse.up();
  return page.evaluate((before) => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('[data-testid="graph-canvas"]'));
    const opt = chart.getModel().getSeriesByIndex(0).option;
    return JSON.stringify([opt.zoom, opt.center]) !== before ? window.__pan.t1 - window.__pan.t0 : -1;
  }, start.view);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]);
}

export default async function (t) {
  const { page } = t;
  await loggedIn(t);
  let person = "";
  let seed = "";

  await t.step("search a person by name", async () => {
    // A person of the largest community, as the graph has them.
    const comm = await (await page.request.get(t.url("/api/v1/graph/communities?limit=1"))).json();
    person = comm.top[0].sample.find((s) => s.type === "person" && s.label).label;
    seed = benchSeed || (await largestNeighbourhood(t));
    await page.goto(t.url("/graph"));
    await page.fill('[data-testid="graph-search"] input[name="q"]', person);
    await page.click('[data-testid="graph-search"] button');
    await page.locator('[data-testid="graph-results"] [data-testid="graph-hit"]').first().waitFor();
    const hits = await page.locator('[data-testid="graph-hit"]').allTextContents();
    assert(hits.some((h) => h.includes(person)), `searching ${person} found ${hits.join(" | ")}`);
  });

  await t.step("put the hit on the canvas", async () => {
    await page.locator('[data-testid="graph-hit"]', { hasText: person }).first().click();
    const c = await drawn(page);
    assert(Number(c["data-nodes"]) === 1, `the canvas holds ${c["data-nodes"]} nodes after one hit`);
    await page.locator('[data-testid="node-panel"]').waitFor({ state: "visible" });
    const title = await page.textContent('[data-testid="node-panel"] [data-field="title"]');
    assert(title === person, `the panel is of ${title}, not ${person}`);
  });

  await t.step("expand the neighbours", async () => {
    await page.click('[data-testid="graph-expand"]');
    const c = await drawn(page, 1);
    assert(Number(c["data-edges"]) > 0, `the expanded canvas has ${c["data-edges"]} edges`);
  });

  const figures = {};
  await t.step("open a large neighbourhood", async () => {
    await page.goto(t.url(`/graph?entity=${encodeURIComponent(seed)}&depth=2&limit=5000`));
    const c = await drawn(page, 300);
    assert(c["data-layout"] === "worker", `a canvas of ${c["data-nodes"]} nodes was laid out by ${c["data-layout"]}`);
    if (benchSeed) assert(c["data-nodes"] === "5000", `the fan-out's neighbourhood drew ${c["data-nodes"]} nodes, want 5000`);
    Object.assign(figures, { nodes: Number(c["data-nodes"]), edges: Number(c["data-edges"]),
      render_ms: Number(c["data-render-ms"]), layout_ms: Number(c["data-layout-ms"]) });
  });

  await t.step("zoom, pan and hover at that size", async () => {
    for (const kind of ["zoom", "pan", "hover"]) {
      const times = [];
      for (let i = 0; i < rounds; i++) {
        let ms = kind === "pan" ? await panFrame(page) : await frameAfter(page, kind);
        // A press ECharts does not take for a pan (it is on the edge of the drawing's area, or
        // lands on a node being redrawn) moves nothing: press again elsewhere.
        for (let again = 0; kind === "pan" && ms < 0 && again < 3; again++) ms = await panFrame(page, again + 1);
        // The pan is measured, not tested: in CI a press that ECharts never takes for a pan is
        // reported (as -1), and only the measurement run (PROCURA_E2E_GRAPH_BENCH) insists.
        assert(ms >= 0 || (kind === "pan" && !benchSeed), `the ${kind} event did not change the canvas`);
        if (ms >= 0) times.push(ms);
      }
      figures[`${kind}_ms`] = times.length ? median(times) : -1;
      figures[`${kind}_ms_all`] = times.map(Math.round);
    }
    console.log(`     10-graph figures: ${JSON.stringify(figures)}`);
    if (benchSeed) {
      const out = join(process.env.PROCURA_E2E_ARTIFACTS || new URL("../artifacts", import.meta.url).pathname, "graph-bench.json");
      writeFileSync(out, JSON.stringify({ ...figures, at: new Date().toISOString(), chromium: t.context.browser().version() }, null, 2) + "\n");
    }
  });
}
