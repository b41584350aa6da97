// Runs every browser flow in flows/*.mjs, in file-name order, against a running procura server.
//
//   PROCURA_URL=http://127.0.0.1:8080 PROCURA_ADMIN_PASSWORD=... node run.mjs
//
// Environment: PROCURA_URL (required), PROCURA_ADMIN (default "admin"), PROCURA_ADMIN_PASSWORD
// (required: the first-run password of `procura init`), PROCURA_NEW_PASSWORD (the password the
// login flow changes it to; default a random one), PROCURA_FLOWS (only flows whose file name
// contains one of these comma-separated words), PROCURA_CHROMIUM (default /usr/bin/chromium),
// PROCURA_E2E_ARTIFACTS (where the screenshots go; default artifacts/, emptied first).
//
// The flows share one browser context (cookies, language) and one state object, so a later flow
// starts where the earlier left off: 01-login logs in, 02-import brings the data 03-dashboard
// charts. Any console error, uncaught page error, server error (5xx) or request to another origin
// fails the flow that was running. A screenshot of every step goes to artifacts/.
import { chromium } from "playwright-core";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = process.env.PROCURA_E2E_ARTIFACTS || join(here, "artifacts");

function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`e2e: set ${name} (see the top of e2e/run.mjs)`);
    process.exit(2);
  }
  return v;
}

const base = new URL(need("PROCURA_URL"));
const admin = {
  name: process.env.PROCURA_ADMIN || "admin",
  password: need("PROCURA_ADMIN_PASSWORD"),
  // At least 12 characters (the server's rule); random so that a run never reuses one.
  newPassword: process.env.PROCURA_NEW_PASSWORD || "e2e-" + randomBytes(12).toString("hex"),
};
const only = (process.env.PROCURA_FLOWS || "").split(",").map((s) => s.trim()).filter(Boolean);

// PROCURA_FLOW_DIR: another folder of flows (the harness's own test uses testdata/broken).
const flowDir = process.env.PROCURA_FLOW_DIR ? join(process.cwd(), process.env.PROCURA_FLOW_DIR) : join(here, "flows");
const files = readdirSync(flowDir)
  .filter((f) => f.endsWith(".mjs"))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`e2e: no flow in ${flowDir} matches PROCURA_FLOWS=${only.join(",")}`);
  process.exit(2);
}

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.PROCURA_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
context.setDefaultTimeout(30000); // generous: CI runs the flows beside every other package's tests

// Problems seen by the browser while a flow runs; a step that leaves any behind fails.
let problems = [];
let allowed = []; // patterns of console errors the current step expects (t.expectConsoleError)

function watch(page) {
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (allowed.some((re) => re.test(text))) return;
    problems.push(`console error on ${page.url()}: ${text}`);
  });
  page.on("pageerror", (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
}
context.on("page", watch);
function checkOrigin(req) {
  const u = new URL(req.url());
  if (["data:", "blob:", "about:"].includes(u.protocol)) return;
  if (u.origin !== base.origin) problems.push(`request to another origin: ${req.method()} ${req.url()}`);
}
function checkStatus(res) {
  if (res.status() >= 500) problems.push(`server error ${res.status()} on ${res.request().method()} ${res.url()}`);
}
context.on("request", checkOrigin);
context.on("response", checkStatus);

const page = await context.newPage();
let extra = []; // contexts a flow opened with t.newPage, closed when it ends

// newPage gives a page in a browser context of its own (another user's cookies), watched like
// the main one.
async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
  ctx.setDefaultTimeout(30000);
  ctx.on("page", watch);
  ctx.on("request", checkOrigin);
  ctx.on("response", checkStatus);
  extra.push(ctx);
  return ctx.newPage();
}
const state = {}; // shared by the flows, in order

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

async function runFlow(file) {
  const flowName = file.replace(/\.mjs$/, "");
  const mod = await import(pathToFileURL(join(flowDir, file)).href);
  let n = 0;
  const t = {
    page,
    context,
    admin,
    state,
    url: (path) => new URL(path, base).href,
    newPage,
    // step runs one user-visible step, screenshots the page, and fails on any problem so far.
    async step(title, fn) {
      n++;
      const began = Date.now();
      const shot = join(artifacts, `${flowName}-${String(n).padStart(2, "0")}-${slug(title)}.png`);
      // One screenshot per open page: the main one, and those of t.newPage() as -ctxN.
      const screenshots = async () => {
        for (const p of [page, ...extra.flatMap((c) => c.pages())]) {
          const suffix = p === page ? "" : `-ctx${extra.findIndex((c) => c.pages().includes(p)) + 1}`;
          await p.screenshot({ path: shot.replace(/\.png$/, `${suffix}.png`), fullPage: true }).catch(() => {});
        }
      };
      try {
        await fn();
        // The page the step led to has loaded (its scripts ran) before the problems are read.
        await page.waitForLoadState("load");
      } catch (err) {
        await screenshots();
        throw new Error(`step "${title}": ${err.message}`);
      } finally {
        allowed = [];
      }
      await screenshots();
      console.log(`     ${flowName} ${n}. ${title} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
      if (problems.length) throw new Error(`step "${title}":\n  ${problems.join("\n  ")}`);
    },
    // expectConsoleError lets the current step log console errors matching re (a page that
    // answers 401 on purpose makes Chromium log the status).
    expectConsoleError(re) {
      allowed.push(re);
    },
  };
  try {
    await mod.default(t);
  } finally {
    for (const ctx of extra) await ctx.close().catch(() => {});
    extra = [];
  }
  if (problems.length) throw new Error(problems.join("\n  "));
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const started = Date.now();
  problems = [];
  try {
    await runFlow(file);
    passed++;
    console.log(`ok   ${file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${file} (${((Date.now() - started) / 1000).toFixed(1)} s): ${err.message}`);
    // Later flows build on earlier ones (a login, imported data): stop at the first failure.
    break;
  }
}
await browser.close();
const skipped = files.length - passed - failed;
console.log(`e2e: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""} (screenshots in ${artifacts})`);
process.exit(failed ? 1 : 0);
