// Switching the language: every page of the menu shows in English and back in Chinese, and no
// page shows a catalogue key (like "nav.import") instead of its text.
import { assert, loggedIn, rawKeys } from "../lib.mjs";

// pages lists the menu's pages that exist: the menu may name pages of areas still being built,
// which answer 404 until then (a flow of that area tests its page).
async function pages(t) {
  const hrefs = await t.page.$$eval("header nav a", (as) => as.map((a) => a.getAttribute("href")));
  const found = [];
  for (const h of hrefs) {
    const res = await t.context.request.get(t.url(h), { maxRedirects: 0 });
    if (res.status() === 200) found.push(h);
  }
  return found;
}

async function checkAll(t, lang, list) {
  const { page } = t;
  for (const h of list) {
    await page.goto(t.url(h));
    assert((await page.getAttribute("html", "lang")) === lang, `${h} is not in ${lang}`);
    const raw = await rawKeys(page);
    assert(raw.length === 0, `${h} (${lang}) shows catalogue keys: ${raw.join(", ")}`);
  }
}

export default async function (t) {
  const { page } = t;
  await loggedIn(t);
  let list = [];

  await t.step("switch to English", async () => {
    await page.click("header .right a[href^='?lang=']");
    await page.waitForSelector("html[lang='en']");
    list = await pages(t);
    assert(list.includes("/import") && list.includes("/jobs"), `the menu's pages are ${list}`);
    await checkAll(t, "en", list);
    await page.goto(t.url("/"));
  });

  await t.step("switch back to Chinese", async () => {
    await page.click("header .right a[href^='?lang=']");
    await page.waitForSelector("html[lang='zh']");
    await checkAll(t, "zh", list);
    await page.goto(t.url("/"));
    const nav = await page.textContent("header nav");
    assert(/[\u4e00-\u9fff]/.test(nav), `the Chinese menu has no Chinese text: ${nav}`);
  });
}
