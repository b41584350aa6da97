// Cases: open a new case, link the clue 07-clues confirmed, see both on the case's timeline,
// and upload an evidence item whose SHA-256 the case lists and whose chain of custody starts
// with the upload.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assert, cluesModel, ensureClues } from "../lib.mjs";

// A case id of its own, so that a rerun against the same workspace opens a new case.
const caseID = "E2E-" + Date.now().toString(36).toUpperCase();
// The evidence is a file of its own too: the workspace refuses content it holds already (such
// as the bank statement 02-import brought, kept as the import's evidence).
const evidenceFile = join(mkdtempSync(join(tmpdir(), "procura-e2e-")), "社保中心复函.txt");
writeFileSync(evidenceFile, `关于${caseID}的复函：经核查，死亡登记后仍发放养老金，已停发并追回。\n`);

// tab opens a tab of the case workspace by its link.
async function tab(page, name) {
  await Promise.all([page.waitForNavigation(), page.click(`[data-testid="case-tab-${name}"]`)]);
  assert(new URL(page.url()).searchParams.get("tab") === name, `the ${name} tab's link led to ${page.url()}`);
}

export default async function (t) {
  const { page } = t;
  await ensureClues(t);
  if (!t.state.clue) {
    // Run alone: a clue of the model that is in no case yet.
    const res = await page.request.get(t.url(`/api/v1/clues?model=${cluesModel}&limit=100`));
    const free = (await res.json()).clues.find((c) => !c.case_id);
    assert(free, `every clue of ${cluesModel} is in a case already`);
    t.state.clue = String(free.id);
  }
  const clue = t.state.clue;

  await t.step("open a new case", async () => {
    await page.goto(t.url("/cases"));
    const form = page.locator('[data-testid="new-case-form"]');
    await form.locator('input[name="id"]').fill(caseID);
    await form.locator('input[name="title"]').fill("e2e 死亡后冒领养老金案");
    await form.locator('input[name="kind"]').fill("行政公益诉讼");
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="new-case-submit"]')]);
    assert(decodeURIComponent(new URL(page.url()).pathname) === `/cases/${caseID}`, `opening the case led to ${page.url()}`);
    const heading = await page.textContent('[data-testid="case-heading"]');
    assert(heading.includes(caseID), `the case workspace is headed ${heading}`);
  });

  await t.step("the case is listed", async () => {
    await page.goto(t.url(`/cases?q=${caseID}`));
    const rows = await page.locator('[data-testid="case-row"]').allTextContents();
    assert(rows.length === 1 && rows[0].includes(caseID), `searching ${caseID} lists ${rows.join(" | ")}`);
    await page.goto(t.url(`/cases/${caseID}`));
  });

  await t.step("link the confirmed clue", async () => {
    await tab(page, "clues");
    const form = page.locator('[data-testid="link-clue-form"]');
    await form.locator('input[name="value"]').fill(clue);
    await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
    assert((await page.locator('[data-testid="form-problem"], [data-testid="form-conflict"]').count()) === 0,
      `linking clue ${clue} was refused: ${await page.locator("main .error").allTextContents()}`);
    const linked = await page.locator('[data-testid="clue-list"] [data-testid="clue-row"] a').allTextContents();
    assert(linked.includes(clue), `the case's clues are ${linked}, not ${clue}`);
    // The clue names its case.
    await page.goto(t.url(`/clues/${clue}`));
    assert((await page.textContent('[data-testid="clue-case"]')) === caseID, "the clue does not name the case it joined");
    await page.goto(t.url(`/cases/${caseID}`));
  });

  await t.step("the timeline shows the case opened and the clue linked", async () => {
    await tab(page, "timeline");
    const events = page.locator('[data-testid="timeline-list"] [data-testid="timeline-event"]');
    await events.first().waitFor();
    const kinds = await events.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-kind")));
    assert(kinds.length >= 2, `the timeline has ${kinds.length} events: ${kinds}`);
    const text = (await events.allTextContents()).join(" | ");
    assert(text.includes(clue), `the timeline does not name clue ${clue}: ${text}`);
  });

  await t.step("upload an evidence item", async () => {
    await tab(page, "evidence");
    const form = page.locator('[data-testid="evidence-upload"]');
    await form.locator('input[name="file"]').setInputFiles(evidenceFile);
    await form.locator('input[name="source"]').fill("某银行");
    await form.locator('input[name="legal_basis"]').fill("刑事诉讼法第五十四条");
    await form.locator('input[name="note"]').fill("e2e");
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="evidence-upload-submit"]')]);
    const row = page.locator('[data-testid="evidence-row"]');
    await row.first().waitFor();
    const sha = createHash("sha256").update(readFileSync(evidenceFile)).digest("hex");
    const shown = await row.first().locator(".sha").textContent();
    assert(shown.trim() === sha, `the case lists the item's SHA-256 as ${shown}, want ${sha}`);
  });

  await t.step("the item's chain of custody", async () => {
    await Promise.all([page.waitForNavigation(), page.locator('[data-testid="evidence-row"] a').first().click()]);
    assert((await page.textContent('[data-testid="evidence-sha256"]')).includes(
      createHash("sha256").update(readFileSync(evidenceFile)).digest("hex")), "the item's page shows another SHA-256");
    const custody = await page.locator('[data-testid="custody-row"]').count();
    assert(custody >= 1, "the item's chain of custody is empty");
    t.state.caseID = caseID;
  });
}
