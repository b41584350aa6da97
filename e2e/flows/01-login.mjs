// The administrator's first login: a wrong password is refused, the first-run password is
// accepted and must be changed at once, and the new one works.
import { assert, login } from "../lib.mjs";

export default async function (t) {
  const { page } = t;

  await t.step("wrong password is refused", async () => {
    t.expectConsoleError(/status of 401/);
    await login(t, t.admin.name, t.admin.password + "-wrong");
    assert(new URL(page.url()).pathname === "/login", `a wrong password led to ${page.url()}`);
    await page.waitForSelector('p.error[role="alert"]');
  });

  await t.step("first-run password leads to the password change", async () => {
    await login(t, t.admin.name, t.admin.password);
    assert(new URL(page.url()).pathname === "/password", `the first login led to ${page.url()}, not /password`);
    await page.waitForSelector('form[action="/password"]');
  });

  await t.step("change the password", async () => {
    await page.fill('form[action="/password"] input[name="old"]', t.admin.password);
    await page.fill('form[action="/password"] input[name="new"]', t.admin.newPassword);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/password"] button')]);
    await page.waitForSelector("main p.notice");
    const errors = await page.locator('p.error[role="alert"]').allTextContents();
    assert(errors.length === 0, `changing the password failed: ${errors.join(" ")}`);
    t.state.password = t.admin.newPassword;
  });

  await t.step("log out and in with the new password", async () => {
    await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
    assert(new URL(page.url()).pathname === "/login", `logging out led to ${page.url()}`);
    await login(t, t.admin.name, t.state.password);
    assert(new URL(page.url()).pathname === "/", `the login with the new password led to ${page.url()}, not the dashboard`);
    const who = await page.textContent("header .who");
    assert(who.includes(t.admin.name), `the header names ${who}, not ${t.admin.name}`);
  });
}
