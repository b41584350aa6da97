// Each role sees the actions it may take: an analyst and an auditor, added by the
// administrator, log in (changing their first-run passwords) and find in the menu exactly the
// pages their role allows (docs/server.md, permission table).
import { addUser, assert, menu, signInAs } from "../lib.mjs";

// What the menu must and must not offer to each role.
const expected = {
  analyst: { has: ["/import", "/clues", "/trace", "/graph"], lacks: ["/audit", "/users"] },
  auditor: { has: ["/audit", "/clues"], lacks: ["/import", "/trace", "/graph", "/screen", "/users"] },
};

export default async function (t) {
  for (const [role, want] of Object.entries(expected)) {
    await t.step(`${role}: first login and menu`, async () => {
      const user = await addUser(t, role);
      const page = await t.newPage();
      await signInAs(t, page, user);
      const who = await page.textContent("header .who");
      assert(who.includes(`(${role})`), `the header shows ${who}, not the role ${role}`);
      const links = await menu(page);
      for (const h of want.has) assert(links.includes(h), `the ${role}'s menu lacks ${h}: ${links}`);
      for (const h of want.lacks) assert(!links.includes(h), `the ${role}'s menu offers ${h}: ${links}`);
    });
  }
}
