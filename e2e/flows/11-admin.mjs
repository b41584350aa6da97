// Screening, the audit log and users: screen a person of the workspace by name, read and verify
// the audit log as an auditor, and, as the administrator, add a reviewer and grant it the case
// 08-cases opened, which it may open only from then on (need-to-know).
import { addUser, assert, loggedIn, signInAs } from "../lib.mjs";

export default async function (t) {
  const { page } = t;
  await loggedIn(t);
  let caseID = t.state.caseID;
  if (!caseID) {
    const res = await page.request.get(t.url("/api/v1/cases?limit=1"));
    const list = (await res.json()).cases || [];
    assert(list.length > 0, "the workspace holds no case to grant (run 08-cases first)");
    caseID = list[0].id;
  }

  await t.step("screen a name against the workspace's persons", async () => {
    // A person of the synthetic world, as the graph has them.
    const comm = await (await page.request.get(t.url("/api/v1/graph/communities?limit=1"))).json();
    const person = comm.top[0].sample.find((s) => s.type === "person" && s.label).label;
    await page.goto(t.url("/screen"));
    await page.fill('[data-testid="screen-form"] input[name="name"]', person);
    await page.click('[data-testid="screen-form"] button');
    await page.locator('[data-testid="screen-results"]:not(.empty)').waitFor();
    const matches = await page.locator('[data-testid="screen-match"]').allTextContents();
    assert(matches.some((m) => m.includes(person)), `screening ${person} matched ${matches.join(" | ") || "nothing"}`);
  });

  await t.step("the auditor reads and verifies the audit log", async () => {
    const auditor = await addUser(t, "auditor");
    const other = await t.newPage();
    await signInAs(t, other, auditor);
    await other.goto(t.url("/audit?action=clue"));
    const rows = other.locator('[data-testid="audit-row"]');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[3].textContent.trim()));
    assert(actions.every((a) => a.startsWith("clue.")), `the filter "clue" lists the actions ${actions}`);
    await other.click('[data-testid="audit-verify"]');
    const result = other.locator('[data-testid="audit-verify-result"][data-ok]');
    await result.waitFor();
    assert((await result.getAttribute("data-ok")) === "true", `the audit chain does not verify: ${await result.textContent()}`);
  });

  const reviewer = { name: `e2e_rev_${Date.now().toString(36)}`, password: "" };
  let reviewerPage;
  await t.step("add a reviewer", async () => {
    await page.goto(t.url("/users"));
    const form = page.locator('[data-testid="user-create"]');
    await form.locator('input[name="name"]').fill(reviewer.name);
    await form.locator('input[name="display_name"]').fill("e2e 审查员");
    await form.locator('select[name="role"]').selectOption("reviewer");
    await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
    await page.locator('[data-testid="user-created"]').waitFor();
    reviewer.password = (await page.textContent('[data-testid="user-created"] [data-testid="user-password"]')).trim();
    assert(reviewer.password.length >= 12, "no first-run password was shown for the new user");
    assert((await page.locator(`[data-testid="user-row"][data-user="${reviewer.name}"]`).count()) === 1, "the new user is not listed");
  });

  await t.step("without a grant the reviewer may not open the case", async () => {
    reviewerPage = await t.newPage();
    await signInAs(t, reviewerPage, reviewer);
    const res = await reviewerPage.request.get(t.url(`/cases/${encodeURIComponent(caseID)}`));
    assert(res.status() === 403, `the reviewer without a grant opened ${caseID}: ${res.status()}`);
  });

  await t.step("grant the case; now the reviewer may", async () => {
    await page.goto(t.url(`/users/${reviewer.name}`));
    const form = page.locator('[data-testid="grant-form"]');
    await form.locator('input[name="case"]').fill(caseID);
    await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
    const grants = await page.locator('[data-testid="grant-row"]').allTextContents();
    assert(grants.some((g) => g.includes(caseID)), `the user's grants are ${grants.join(" | ")}`);
    await reviewerPage.goto(t.url(`/cases/${encodeURIComponent(caseID)}`));
    const heading = await reviewerPage.textContent('[data-testid="case-heading"]');
    assert(heading.includes(caseID), `the granted reviewer sees ${heading}`);
  });
}
