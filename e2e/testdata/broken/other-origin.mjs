// A request to another origin (another loopback address, where nothing listens): the runner
// must fail the flow.
export default async function (t) {
  await t.step("load from another origin", async () => {
    await t.page.goto("http://127.0.0.2:9/").catch(() => {});
  });
}
