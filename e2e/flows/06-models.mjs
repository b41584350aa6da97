// The model library and editor: open a model whose inputs the workspace holds (the synthetic
// world e2e_test.go imports), validate a broken and the original text, try it on the current
// data, and run it: the job card ends done with the clues it found (which 07-clues reviews) and
// the run history grows.
import { assert, cluesModel as model, loggedIn } from "../lib.mjs";

export default async function (t) {
  const { page } = t;
  await loggedIn(t);
  const editor = page.locator('[data-testid="model-editor"]');
  const validation = page.locator('[data-testid="validation-messages"]');
  let original = "";
  let runsBefore = 0;

  await t.step("the library lists the model as ready", async () => {
    await page.goto(t.url("/models"));
    const row = page.locator(`[data-testid="model-row"][data-model="${model}"]`);
    await row.waitFor();
    assert(!(await row.getAttribute("class") || "").includes("not-ready"), `${model} is listed as lacking a dataset`);
    assert((await row.locator(".need.missing").count()) === 0, `${model} names a missing input`);
    await Promise.all([page.waitForNavigation(), row.locator(`a[href="/models/${model}"]`).click()]);
    await editor.waitFor();
    original = await editor.inputValue();
    assert(original.includes(`id: ${model}`), `the editor does not hold the model's YAML: ${original.slice(0, 80)}`);
    runsBefore = await page.locator('[data-testid="run-history"] tbody tr[data-run]').count();
  });

  await t.step("validate a broken model: problems with their lines", async () => {
    // An unknown severity and a column of no input: two problems, each on its line.
    const broken = original.replace(/^severity: .*$/m, "severity: catastrophic");
    assert(broken !== original, "the model has no severity line to break");
    await editor.fill(broken);
    await page.click('[data-testid="model-validate"]');
    await validation.locator('.validation[data-valid="false"]').waitFor();
    const lines = await validation.locator(".problems li[data-line]").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-line")));
    const want = String(broken.split("\n").findIndex((l) => l.startsWith("severity:")) + 1);
    assert(lines.includes(want), `the problems name lines ${lines}, not the severity's line ${want}`);
    // The gutter marks the line, and clicking the problem selects it in the editor.
    await page.locator(`.editor .gutter li.problem[data-line="${want}"]`).waitFor();
    await validation.locator(`.line-ref[data-line="${want}"]`).click();
    const selected = await editor.evaluate((ta) => ta.value.slice(ta.selectionStart, ta.selectionEnd));
    assert(selected === "severity: catastrophic", `clicking the problem selected "${selected}"`);
  });

  await t.step("validate the model as it was", async () => {
    await editor.fill(original);
    await page.click('[data-testid="model-validate"]');
    await validation.locator('.validation[data-valid="true"]').waitFor();
    assert((await page.locator(".editor .gutter li.problem").count()) === 0, "the gutter still marks problems");
  });

  await t.step("try on current data", async () => {
    await page.click('[data-testid="model-try"]');
    const res = page.locator('[data-testid="try-results"] .try[data-found]');
    await res.waitFor({ timeout: 60000 });
    const found = Number(await res.getAttribute("data-found"));
    assert(found > 0, `trying ${model} on the synthetic world found ${found} clues`);
    const shown = await page.locator('[data-testid="try-clue"]').count();
    assert(shown === Math.min(found, 20), `the try shows ${shown} clues of ${found}`);
    t.state.tryFound = found;
  });

  await t.step("run: the job ends with the clues, the history grows", async () => {
    await page.click('[data-testid="model-run"]');
    const card = page.locator("#run-job [data-job]");
    await card.waitFor();
    await page.waitForSelector('#run-job [data-job]:not([data-status="running"]):not([data-status="queued"])', { timeout: 60000 });
    const status = await card.getAttribute("data-status");
    assert(status === "done", `the run ended ${status}: ${await card.locator(".error").textContent()}`);
    const clues = page.locator('[data-testid="run-clues"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-clues"]').textContent.trim() !== "");
    const text = await clues.textContent();
    assert(text.includes(String(t.state.tryFound)), `the run reports "${text}", the try found ${t.state.tryFound}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="run-history"] tbody tr[data-run]').length > n,
      runsBefore,
    );
    const last = page.locator('[data-testid="run-history"] tbody tr[data-run]').first();
    assert((await last.textContent()).includes(t.admin.name), "the newest run in the history is not the administrator's");
    t.state.model = model;
  });
}
