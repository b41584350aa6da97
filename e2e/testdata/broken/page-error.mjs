// A page whose script throws: the runner must fail the flow.
export default async function (t) {
  await t.step("throw in the page", async () => {
    await t.page.goto(t.url("/login"));
    await t.page.evaluate(() => setTimeout(() => { throw new Error("e2e harness check: an uncaught error"); }));
    await t.page.waitForTimeout(200);
  });
}
