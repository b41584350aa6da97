// The dashboard charts the rows per dataset (with the data 02-import brought) and lists the
// recent imports.
import { assert, loggedIn } from "../lib.mjs";

export default async function (t) {
  const { page } = t;
  await loggedIn(t);

  await t.step("the rows chart is drawn", async () => {
    await page.click("header a.brand");
    await page.waitForSelector('[data-chart="bar"][data-drawn="1"] canvas');
    const labels = JSON.parse(await page.getAttribute('[data-chart="bar"]', "data-labels"));
    if (t.state.dataset) {
      assert(labels.includes(t.state.dataset), `the chart's datasets ${labels} lack ${t.state.dataset}`);
    }
    const box = await page.locator('[data-chart="bar"] canvas').first().boundingBox();
    assert(box && box.width > 100 && box.height > 100, `the chart's canvas is ${JSON.stringify(box)}`);
  });

  await t.step("recent imports link to their rejects", async () => {
    const n = await page.locator('main a[href*="/rejects?batch="]').count();
    assert(n > 0, "no recent import links to its rejects");
    // The file is named as the user uploaded it, not by the server's upload path.
    const text = await page.textContent("main");
    assert(!text.includes("/uploads/"), "the recent imports show the server's upload path of a file");
  });
}
