// The HTML reports and the sweep's plots in a real browser (Debian's chromium, driven by playwright-core): the pages
// load without an error, every figure is drawn, and the axes that span orders of magnitude are logarithmic as
// rendered — the label positions of the miss-rate and cycles axes are measured on the page and must be a linear
// function of the logarithm of their values. CI installs chromium (.ci/run); elsewhere the test is skipped without it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { runCli } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const CHROMIUM = "/usr/bin/chromium";
const have = existsSync(CHROMIUM);
const ROOT = join(import.meta.dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "mmulab-browser-"));

async function cli(...argv: string[]): Promise<void> {
  const io = new BufferIo();
  const status = await runCli(argv, io);
  expect(status, `${argv.join(" ")}: ${io.err}`).toBe(0);
}

it.runIf(!have && process.env.CI)("CI has chromium for the browser tests (.ci/run installs it)", () => {
  expect(existsSync(CHROMIUM)).toBe(true);
});

describe.skipIf(!have)("reports in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
  }, 60_000);
  afterAll(async () => { await browser?.close(); });

  /** Opens a page, failing on any page error or console error. */
  async function open(file: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(errors).toEqual([]);
    await page.screenshot({ path: file.replace(/\.html$/, ".png"), fullPage: true });
    return page;
  }

  /**
   * For every axis of the page whose title matches, the labels that carry text and where the browser drew their
   * ticks: value (parsed from the label, % → fraction) and the tick's position along the axis.
   */
  async function axisLabels(page: Page, title: RegExp, vertical: boolean): Promise<{ value: number; at: number }[][]> {
    const axes = await page.$$eval("g[aria-roledescription='axis']", (gs, a) => gs
      .filter((g) => new RegExp(a.title).test(g.getAttribute("aria-label") ?? ""))
      .map((g) => {
        // Label i belongs to tick i (unlabelled ticks keep an empty label); the tick line is where the value sits.
        const ticks = [...g.querySelectorAll(".role-axis-tick line")].map((l) => l.getBoundingClientRect());
        const texts = [...g.querySelectorAll(".role-axis-label text")].map((t) => (t.textContent ?? "").trim());
        if (ticks.length !== texts.length) throw new Error(`${ticks.length} ticks, ${texts.length} labels`);
        return texts.flatMap((s, i) => s === "" ? [] : [{
          value: s.endsWith("%") ? Number(s.slice(0, -1)) / 100 : Number(s),
          at: a.vertical ? ticks[i]!.y + ticks[i]!.height / 2 : ticks[i]!.x + ticks[i]!.width / 2,
        }]);
      }), { title: title.source, vertical });
    return axes;
  }

  /** Positions linear in log10(value): a log axis as drawn (to within a pixel and a half). */
  function expectLogAxis(labels: { value: number; at: number }[], what: string): void {
    expect(labels.length, `${what}: labelled ticks`).toBeGreaterThanOrEqual(3);
    const [a, b] = [labels[0]!, labels[labels.length - 1]!];
    const perDecade = (b.at - a.at) / (Math.log10(b.value) - Math.log10(a.value));
    for (const l of labels) expect(Math.abs(a.at + perDecade * (Math.log10(l.value) - Math.log10(a.value)) - l.at), `${what}: ${l.value}`).toBeLessThan(1.5);
    // ... and not linear in the value itself (which would also pass for two labels).
    const linear = (b.at - a.at) / (b.value - a.value);
    expect(labels.some((l) => Math.abs(a.at + linear * (l.value - a.value) - l.at) > 5), `${what}: not a linear axis`).toBe(true);
  }

  it("the sweep report: plots before tables, log miss-rate and cycles axes, panels 4K before 2M", async () => {
    const lackey = join(dir, "z.lackey");
    writeFileSync(lackey, Array.from({ length: 4000 }, (_, i) => ` L ${(0x10000 + ((i * 7919) % 300) * 4096).toString(16)},8`).join("\n") + "\n");
    const out = join(dir, "sweep");
    await cli("sweep", lackey, "--guest", `${join(ROOT, "guest/bin/matmul")} 16`, "--policies", "lru,fifo", "--entries", "16,64,256",
      "--page-sizes", "2M,4K", "--archs", "riscv-sv39,x86-64,mips-r4000,vax", "--out", out);
    await cli("report", join(out, "sweep.json"), "-o", join(dir, "sweep.html"));
    const page = await open(join(dir, "sweep.html"));
    const order = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
    expect(order.indexOf("Miss rate against TLB size")).toBeLessThan(order.indexOf("Tables"));
    expect(await page.locator("figure svg").count()).toBe(2);
    const missRate = await axisLabels(page, /^Y-axis titled 'miss rate \(log\)' for a log scale/, true);
    expect(missRate.length).toBe(4);                         // one per panel: 2 inputs × 2 page sizes
    for (const [i, axis] of missRate.entries()) if (axis.length >= 3) expectLogAxis(axis, `miss-rate panel ${i}`);
    expect(missRate.some((a) => a.length >= 3)).toBe(true);
    const cycles = await axisLabels(page, /^X-axis titled 'translation cycles per TLB access \(log\)' for a log scale/, false);
    expect(cycles.length).toBe(2);
    for (const axis of cycles) expectLogAxis(axis, "cycles");
    // Panels in the sweep's order: the input's 4 KiB panel comes before its 2 MiB one, whatever the command said.
    const titles = await page.$$eval("g.role-title text, g[class*='role-column-title'] text, text", (ts) => ts.map((t) => t.textContent ?? ""));
    const p4 = titles.findIndex((t) => t.includes("matmul 16 · 4K pages")), p2 = titles.findIndex((t) => t.includes("matmul 16 · 2M pages"));
    expect(p4).toBeGreaterThanOrEqual(0);
    expect(p4).toBeLessThan(p2);
    // Table cells do not wrap.
    expect(await page.$eval("td", (td) => getComputedStyle(td).whiteSpace)).toBe("nowrap");
    await page.close();
  }, 180_000);

  it("the run report: names the machine, draws its plot, describes its counters, shows the configuration as a table", async () => {
    await cli("run", join(ROOT, "guest/bin/matmul"), "20", "--arch", "x86-64", "--json", join(dir, "run.json"));
    await cli("report", join(dir, "run.json"), "-o", join(dir, "run.html"));
    const page = await open(join(dir, "run.html"));
    const text = await page.locator("body").innerText();
    expect(text).toMatch(/machine\s+x86-64/);
    expect(text).toContain("L1 data TLB misses");
    expect(await page.locator("figure svg").count()).toBeGreaterThanOrEqual(1);
    const config = await page.$$eval("h2", (hs) => {
      const h = hs.find((x) => x.textContent === "Configuration")!;
      return h.nextElementSibling?.querySelector("table") !== null;
    });
    expect(config).toBe(true);
    await page.close();
  }, 120_000);
});
