// Fund-flow tracing: trace the payments of the synthetic world's victims (the case parties of
// role victim) forward through its transactions, see the Sankey drawn with the conservation
// check, open an account's panel by clicking it, switch to the layered graph, and download the
// accounts schedule.
import { assert, loggedIn } from "../lib.mjs";

// accountPoint finds, in the Sankey, an account node (a seed or an account reached) and returns
// where it is on the page. The series is placed 10 px from the chart's left and top (funds.js).
async function accountPoint(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="trace-sankey"]');
    const data = window.echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData();
    const box = el.getBoundingClientRect();
    for (let i = 0; i < data.count(); i++) {
      const n = data.getRawDataItem(i).node;
      const at = data.getItemLayout(i);
      if (!n || !n.account || (n.role !== "seed" && n.role !== "account") || !at || at.dy < 4) continue;
      return { x: box.left + 10 + at.x + at.dx / 2, y: box.top + 10 + at.y + at.dy / 2, account: n.account };
    }
    return null;
  });
}

export default async function (t) {
  const { page } = t;
  await loggedIn(t);
  const sankey = page.locator('[data-testid="trace-sankey"]');
  const layered = page.locator('[data-testid="trace-layered"]');

  await t.step("trace the victims' payments", async () => {
    await page.goto(t.url("/trace"));
    const form = page.locator('[data-testid="trace-form"]');
    await form.waitFor();
    await page.selectOption('[data-testid="trace-dataset"]', "transactions");
    await form.locator('input[name="seed"][value="victims"]').check();
    await page.selectOption('[data-testid="trace-victims"]', ["case_parties"]);
    await page.click('[data-testid="trace-submit"]');
    await page.locator("#trace-out [data-job]").waitFor();
    await page.waitForSelector('#trace-out [data-job]:not([data-status="running"]):not([data-status="queued"])', { timeout: 60000 });
    const card = page.locator("#trace-out [data-job]");
    const status = await card.getAttribute("data-status");
    assert(status === "done", `the trace ended ${status}: ${await card.locator(".error").textContent()}`);
  });

  await t.step("the Sankey is drawn and money is conserved", async () => {
    await page.waitForSelector('[data-testid="trace-sankey"][data-rendered="1"]', { timeout: 30000 });
    const nodes = Number(await sankey.getAttribute("data-nodes"));
    assert(nodes > 0, `the Sankey has ${nodes} nodes`);
    const ok = await page.getAttribute('[data-testid="conservation"]', "data-ok");
    assert(ok === "true", `the conservation check says ${await page.textContent('[data-testid="conservation"]')}`);
    const victims = await page.locator('[data-testid="victims-table"] tbody tr').count();
    assert(victims > 0, "the trace lists no victim");
    const box = await sankey.locator("canvas").first().boundingBox();
    assert(box && box.width > 200 && box.height > 100, `the Sankey's canvas is ${JSON.stringify(box)}`);
  });

  await t.step("click an account: its panel", async () => {
    await sankey.scrollIntoViewIfNeeded();
    const at = await accountPoint(page);
    assert(at, "the Sankey shows no account to click");
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('[data-testid="account-panel"]');
    await panel.waitFor({ state: "visible" });
    const title = await panel.locator(".panel-title").textContent();
    assert(title === at.account, `the panel is of ${title}, not the account clicked ${at.account}`);
    assert((await panel.locator(".panel-facts dd").count()) > 0, "the account panel lists no facts");
  });

  await t.step("switch to the layered graph", async () => {
    await page.click('[data-testid="view-toggle"] [data-view="layered"]');
    await page.waitForSelector('[data-testid="trace-layered"][data-rendered="1"]:not([hidden])');
    assert(await sankey.isHidden(), "the Sankey still shows beside the layered graph");
    const nodes = Number(await layered.getAttribute("data-nodes"));
    assert(nodes > 0, `the layered graph has ${nodes} nodes`);
  });

  await t.step("export the accounts schedule as CSV", async () => {
    const href = await page.getAttribute('[data-testid="export-csv"]', "href");
    const res = await page.request.get(t.url(href));
    assert(res.status() === 200, `the accounts CSV answered ${res.status()}`);
    assert(/csv/.test(res.headers()["content-type"] || ""), `the accounts CSV is ${res.headers()["content-type"]}`);
    const lines = (await res.text()).trim().split("\n");
    assert(lines.length > 1, `the accounts CSV has ${lines.length} lines`);
  });
}
