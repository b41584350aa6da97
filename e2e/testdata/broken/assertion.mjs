// A flow whose own check fails: the runner must report it and exit non-zero.
import { assert } from "../../lib.mjs";

export default async function (t) {
  await t.step("a check that fails", async () => {
    await t.page.goto(t.url("/login"));
    assert(false, "e2e harness check: the flow's assertion");
  });
}
