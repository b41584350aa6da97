// The import wizard: upload the example bank statement, check the preview (detected format,
// mapping, rows and rejects), import it, follow the job to its end and open its rejects.
import { fileURLToPath } from "node:url";
import { assert, loggedIn } from "../lib.mjs";

const example = fileURLToPath(new URL("../../docs/examples/bank-statement-cn.csv", import.meta.url));
// A dataset name of its own, so that a rerun against the same workspace adds a new one.
const dataset = "e2e_bank_" + Date.now().toString(36);

export default async function (t) {
  const { page } = t;
  await loggedIn(t);

  await t.step("open the import page", async () => {
    await page.click('header nav a[href="/import"]');
    await page.waitForSelector("form#import-form");
  });

  await t.step("upload and preview", async () => {
    await page.setInputFiles('#import-form input[name="file"]', example);
    await page.fill('#import-form input[name="dataset"]', dataset);
    await page.fill('#import-form input[name="profile"]', "cn-bank-inquiry");
    await page.click("#import-form button");
    await page.waitForSelector("#preview dl.facts");
    const facts = await page.textContent("#preview dl.facts");
    assert(/csv/i.test(facts), `the preview does not name the format CSV: ${facts}`);
    const rows = await page.locator("#preview div.scroll tbody tr").count();
    assert(rows > 0, "the preview shows no rows");
    // The preview reads the first 10 rows, all well-formed in the example (its 4 malformed
    // rows come later): it must list no rejects, and say nothing went wrong.
    const rejects = await page.locator("#preview div.scroll ~ table tbody tr").count();
    assert(rejects === 0, `the preview lists ${rejects} rejected rows among the first 10, want 0`);
    assert((await page.locator('#preview p.error[role="alert"]').count()) === 0, "the preview shows an error");
  });

  await t.step("import and follow the job to the end", async () => {
    await page.click('#preview form[action="/import/run"] button');
    const card = page.locator("#preview [data-job]");
    await card.waitFor();
    await page.waitForSelector('#preview [data-job]:not([data-status="running"])', { timeout: 60000 });
    const status = await card.getAttribute("data-status");
    const err = await card.locator(".error").textContent();
    assert(status === "done", `the import job ended ${status}: ${err}`);
    // The live status is shown in the page's language, as the server renders it.
    const shown = await card.locator(".status").textContent();
    const want = await page.evaluate(() => window.procura.t("job.done"));
    assert(shown === want, `the finished job's status reads "${shown}", want "${want}"`);
    const result = await card.locator(".result").textContent();
    assert(/rows_rejected: 4/.test(result), `the job's result does not report 4 rejected rows: ${result}`);
    t.state.dataset = dataset;
  });

  await t.step("open the rejects", async () => {
    await Promise.all([page.waitForNavigation(), page.click("#preview a.rejects-link")]);
    assert(new URL(page.url()).pathname === `/datasets/${dataset}/rejects`, `the rejects link led to ${page.url()}`);
    const n = await page.locator("main table tbody tr").count();
    assert(n === 4, `the rejects page lists ${n} rows, want 4`);
  });

  await t.step("the job is listed on the jobs page", async () => {
    await page.click('header nav a[href="/jobs"]');
    const link = page.locator("main table tbody tr a", { hasText: dataset });
    await link.first().waitFor();
    await Promise.all([page.waitForNavigation(), link.first().click()]);
    const status = await page.getAttribute("[data-job]", "data-status");
    assert(status === "done", `the job page shows the import ${status}`);
  });
}
