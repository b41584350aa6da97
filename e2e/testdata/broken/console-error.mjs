// A page that logs an error to the console: the runner must fail the flow.
export default async function (t) {
  await t.step("log an error", async () => {
    await t.page.goto(t.url("/login"));
    await t.page.evaluate(() => console.error("e2e harness check: a console error"));
  });
}
