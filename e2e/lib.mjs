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
// (PROCURA_FLOWS) log in with the password the login flow left in t.state, or the given one.
export async function loggedIn(t) {
  const { page } = t;
  await page.goto(t.url("/"));
  if (new URL(page.url()).pathname !== "/login") return;
  await login(t, t.admin.name, t.state.password || t.admin.password);
  assert(new URL(page.url()).pathname === "/", `login as ${t.admin.name} ended on ${page.url()}, not the dashboard`);
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
    const found = new Set();
    for (const m of text.matchAll(re)) found.add(m[2]);
    return [...found];
  });
}
