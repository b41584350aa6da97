// The clue queue and the review screen: sort and filter the queue (the query stays in the URL),
// assign the model's clues in bulk, and move one clue through the lifecycle of
// docs/workflow.md (assigned → verifying → confirmed), each move with its reason; a decision
// sent from a page that shows an older version is refused as a conflict naming who changed it.
import { assert, cluesModel, ensureClues } from "../lib.mjs";

// statusText is how the page shows a status in its language.
function statusText(page, status) {
  return page.evaluate((s) => window.procura.t("clues.status_" + s), status);
}

// move sends the review screen's transition form and waits for the page it leads to.
async function move(page, to, reason) {
  await page.selectOption('[data-testid="clue-to"]', to);
  await page.fill('[data-testid="clue-reason"]', reason);
  await Promise.all([page.waitForNavigation(), page.click('[data-testid="clue-transition-button"]')]);
}

export default async function (t) {
  const { page } = t;
  await ensureClues(t);
  const rows = page.locator('[data-testid="clue-row"]');
  let clue = "";

  await t.step("the queue lists clues; sort by model", async () => {
    await page.goto(t.url("/clues"));
    await rows.first().waitFor();
    const sort = page.locator('[data-testid="sort-model"]');
    await sort.click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "model");
    await page.locator('[data-testid="sort-model"][aria-sort]').waitFor();
    const models = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[4].textContent.trim().split(" ")[0]));
    const sorted = [...models].sort();
    const reversed = [...sorted].reverse();
    assert(
      JSON.stringify(models) === JSON.stringify(sorted) || JSON.stringify(models) === JSON.stringify(reversed),
      `the queue sorted by model lists ${models}`,
    );
  });

  await t.step("filter by the model; the filter is in the URL", async () => {
    await page.fill('[data-testid="filter-model"]', cluesModel);
    await page.click('[data-testid="filter-apply"]');
    await page.waitForFunction((m) => new URL(location.href).searchParams.get("model") === m, cluesModel);
    await page.waitForFunction((m) => {
      const trs = [...document.querySelectorAll('[data-testid="clue-row"]')];
      return trs.length > 0 && trs.every((tr) => tr.cells[4].textContent.includes(m));
    }, cluesModel);
    // A reload shows the same queue.
    const n = await rows.count();
    await page.reload();
    assert((await rows.count()) === n, `the reloaded queue lists ${await rows.count()} clues, not ${n}`);
    assert((await page.inputValue('[data-testid="filter-model"]')) === cluesModel, "the reload lost the model filter");
  });

  await t.step("bulk assign the page's clues", async () => {
    const n = await rows.count();
    await page.check('[data-testid="select-all"]');
    const picked = await page.locator('[data-testid="clue-pick"]:checked').count();
    assert(picked === n, `"select all" ticked ${picked} of ${n} clues`);
    await page.fill('[data-testid="bulk-assignee"]', t.admin.name);
    await page.fill('[data-testid="bulk-due"]', "2030-01-31");
    await page.click('[data-testid="bulk-assign-button"]');
    await page.locator('[data-testid="bulk-results"]').waitFor();
    const ok = await page.locator('[data-testid="bulk-result"].ok').count();
    const failed = await page.locator('[data-testid="bulk-result"].failed').allTextContents();
    assert(ok === n && failed.length === 0, `the bulk assignment changed ${ok} of ${n} clues: ${failed.join("; ")}`);
    const assignees = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[6].textContent.trim()));
    assert(assignees.every((a) => a === t.admin.name), `after the assignment the queue shows assignees ${assignees}`);
    // The clue to review: one the assignment moved to assigned (on a rerun against the same
    // workspace, earlier runs' clues are further on).
    const assigned = await statusText(page, "assigned");
    const ids = await rows.evaluateAll((trs, s) => trs.filter((tr) => tr.cells[5].textContent.trim().startsWith(s)).map((tr) => tr.dataset.clue), assigned);
    assert(ids.length > 0, "no clue of the queue is assigned after the bulk assignment");
    clue = ids[0];
  });

  await t.step("open a clue: explanation, evidence, assigned", async () => {
    await Promise.all([page.waitForNavigation(), page.locator(`[data-testid="clue-row"][data-clue="${clue}"] a[href="/clues/${clue}"]`).first().click()]);
    const why = await page.textContent('[data-testid="clue-why"] .explanation');
    assert(why.trim().length > 0, "the clue shows no explanation");
    assert((await page.locator('[data-testid="evidence-row"]').count()) > 0, "the clue shows no evidence rows");
    const status = await page.textContent('[data-testid="clue-status"]');
    assert(status.includes(await statusText(page, "assigned")), `the assigned clue's status reads ${status}`);
    assert((await page.textContent('[data-testid="clue-assignee"]')).includes(t.admin.name), "the clue does not name its assignee");
  });

  await t.step("a move without a reason names the field", async () => {
    t.expectConsoleError(/status of 400/);
    await page.selectOption('[data-testid="clue-to"]', "dismissed");
    await page.fill('[data-testid="clue-reason"]', "");
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="clue-transition-button"]')]);
    const err = await page.textContent('[data-testid="clue-transition-error"]');
    assert(err.trim() !== "", "dismissing without a reason shows no error");
    const status = await page.textContent('[data-testid="clue-status"]');
    assert(status.includes(await statusText(page, "assigned")), `the refused move changed the status to ${status}`);
  });

  await t.step("move to verifying", async () => {
    await page.goto(t.url(`/clues/${clue}`));
    await move(page, "verifying", "e2e: 核对死亡登记与发放记录");
    await page.locator('[data-testid="clue-moved"]').waitFor();
    const status = await page.textContent('[data-testid="clue-status"]');
    assert(status.includes(await statusText(page, "verifying")), `after the move the status reads ${status}`);
  });

  await t.step("a decision from an older version is a conflict", async () => {
    // A second tab shows the clue, the first moves it on: the second's decision must not pass.
    const other = await t.context.newPage();
    try {
      await other.goto(t.url(`/clues/${clue}`));
      const shown = await other.getAttribute('[data-testid="clue-version"]', "value");
      // Meanwhile the clue is given a new due date (which raises its version).
      await page.request.post(t.url("/api/v1/clues/assign"), {
        data: { clues: [{ id: Number(clue), version: Number(shown) }], assignee: t.admin.name, due: "2030-02-28" },
        headers: { "X-CSRF-Token": await page.getAttribute('meta[name="csrf-token"]', "content") },
      }).then(async (r) => assert(r.ok(), `re-assigning the clue answered ${r.status()}: ${await r.text()}`));
      t.expectConsoleError(/status of 409/);
      await move(other, "dismissed", "e2e: 不成立");
      await other.locator('[data-testid="clue-conflict"]').waitFor();
      const by = await other.textContent('[data-testid="clue-conflict"] .by');
      assert(by === t.admin.name, `the conflict names ${by}, not ${t.admin.name}`);
      const status = await other.textContent('[data-testid="clue-status"]');
      assert(status.includes(await statusText(other, "verifying")), `the refused decision left the status ${status}`);
      assert((await other.inputValue('[data-testid="clue-reason"]')) === "e2e: 不成立", "the conflict lost the reason typed");
    } finally {
      await other.close();
    }
  });

  await t.step("confirm the clue; the history records the moves", async () => {
    await page.goto(t.url(`/clues/${clue}`));
    await move(page, "confirmed", "e2e: 死亡后仍发放待遇属实");
    const status = await page.textContent('[data-testid="clue-status"]');
    assert(status.includes(await statusText(page, "confirmed")), `after confirming the status reads ${status}`);
    const history = await page.locator('[data-testid="history-row"]').allTextContents();
    const reasons = ["e2e: 核对死亡登记与发放记录", "e2e: 死亡后仍发放待遇属实"];
    for (const r of reasons) assert(history.some((h) => h.includes(r)), `the history lacks the reason "${r}": ${history.join(" | ")}`);
    t.state.clue = clue;
  });
}
