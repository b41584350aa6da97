// Helpers shared by the flows (flows/*.mjs). Each flow is one file exporting
// `default async function (t)`; t is described in run.mjs (page, context, admin, state, url,
// step, expectConsoleError).

// assert fails the step with msg unless cond holds.
export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// login signs in through the login form and lands wherever the server sends the user.
export async function login(t, name, password) {
  const { page } = t;
  await page.goto(t.url("/login"));
  await page.fill('form[action="/login"] input[name="name"]', name);
  await page.fill('form[action="/login"] input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
}

// loggedIn makes sure the browser has a session of the administrator: flows run alone
// (PROCURA_FLOWS) log in with the password the login flow left in t.state, or the given one,
// changing a first-run password as the login flow would.
export async function loggedIn(t) {
  const { page } = t;
  await page.goto(t.url("/"));
  if (new URL(page.url()).pathname !== "/login") return;
  const user = { name: t.admin.name, password: t.state.password || t.admin.password };
  await signInAs(t, page, user, t.admin.newPassword);
  t.state.password = user.password;
}

// rawKeys lists catalogue keys that a page shows as such (a message missing from the
// catalogue shows as its key): words like "nav.import" whose prefix is an area of the catalogue.
export async function rawKeys(page) {
  return page.evaluate(() => {
    const keys = Object.keys(window.PROCURA_MESSAGES || {});
    const areas = [...new Set(keys.map((k) => k.split(".")[0]))];
    if (areas.length === 0) return ["(window.PROCURA_MESSAGES is empty: the catalogue script did not load)"];
    const re = new RegExp(`(^|[^A-Za-z0-9_.-])((?:${areas.join("|")})\\.[a-z0-9_]+)`, "g");
    const attrs = [...document.querySelectorAll("[title],[placeholder],[aria-label]")]
      .map((el) => [el.title, el.placeholder, el.getAttribute("aria-label")].filter(Boolean).join(" "));
    const text = [document.body.innerText, document.title, ...attrs].join(" ");
    // A file name such as "cases.csv" (the recent imports of the synthetic world) is no key.
    const file = /\.(csv|tsv|txt|json|jsonl|xlsx|xls|parquet|zip|yaml|pdf|png)$/;
    const found = new Set();
    for (const m of text.matchAll(re)) if (!file.test(m[2])) found.add(m[2]);
    return [...found];
  });
}

// addUser creates a user of role through the API with the administrator's session (the main
// page must be logged in as the administrator) and returns {name, password}: the generated
// first-run password, which the user must change at the first login.
export async function addUser(t, role) {
  await loggedIn(t);
  const csrf = await t.page.getAttribute('meta[name="csrf-token"]', "content");
  const name = `e2e_${role}_${Date.now().toString(36)}`;
  const res = await t.page.request.post(t.url("/api/v1/users"), {
    data: { name, role },
    headers: { "X-CSRF-Token": csrf },
  });
  assert(res.status() === 201, `adding the ${role} ${name} answered ${res.status()}: ${await res.text()}`);
  const body = await res.json();
  assert(body.password, `adding the ${role} ${name} gave no first-run password`);
  return { name, password: body.password };
}

// signInAs logs user in on page (from t.newPage()), changes the first-run password when the
// server asks for it (to fresh, or the old one with "-changed"; user.password is updated), and
// leaves the page on the dashboard.
export async function signInAs(t, page, user, fresh = user.password + "-changed") {
  await page.goto(t.url("/login"));
  await page.fill('form[action="/login"] input[name="name"]', user.name);
  await page.fill('form[action="/login"] input[name="password"]', user.password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
  if (new URL(page.url()).pathname === "/password") {
    await page.fill('form[action="/password"] input[name="old"]', user.password);
    await page.fill('form[action="/password"] input[name="new"]', fresh);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/password"] button')]);
    const errors = await page.locator('p.error[role="alert"]').allTextContents();
    assert(errors.length === 0, `${user.name} could not change the first-run password: ${errors.join(" ")}`);
    user.password = fresh;
  }
  await page.goto(t.url("/"));
  assert(new URL(page.url()).pathname === "/", `${user.name} is not logged in: ${page.url()}`);
}

// menu lists the hrefs of the page's main menu.
export async function menu(page) {
  return page.$$eval("header nav a", (as) => as.map((a) => a.getAttribute("href")));
}

// cluesModel is the model whose clues the flows review: benefit_paid_after_death reads the
// benefits and deaths of the synthetic world e2e_test.go imports, which injects this violation.
export const cluesModel = "benefit_paid_after_death";

// ensureClues makes sure the workspace holds clues of cluesModel: 06-models runs it in the
// browser; a flow run alone (PROCURA_FLOWS) runs it through the API and waits for the job.
export async function ensureClues(t) {
  await loggedIn(t);
  const { page } = t;
  const have = await page.request.get(t.url(`/api/v1/clues?model=${cluesModel}&limit=1`));
  assert(have.ok(), `listing the clues answered ${have.status()}`);
  if ((await have.json()).total > 0) return;
  const csrf = await page.getAttribute('meta[name="csrf-token"]', "content");
  const res = await page.request.post(t.url(`/api/v1/models/${cluesModel}/runs`), { headers: { "X-CSRF-Token": csrf } });
  assert(res.status() === 202, `running ${cluesModel} answered ${res.status()}: ${await res.text()}`);
  const job = (await res.json()).id;
  for (let i = 0; i < 120; i++) {
    const j = await (await page.request.get(t.url(`/api/v1/jobs/${job}`))).json();
    if (j.status !== "running" && j.status !== "queued") {
      assert(j.status === "done", `the run of ${cluesModel} ended ${j.status}: ${j.error}`);
      return;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`the run of ${cluesModel} did not end within 30 s`);
}
