// `mmulab report`: one self-contained HTML page from the JSON of run, compare, trace (one TLB and whole machine)
// and sweep, with the tables, the inline SVG plots, the configuration and the command line that reproduces it.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../src/cli/main.js";
import { escapeHtml } from "../../../src/report/page.js";
import { BufferIo } from "../helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-report-"));
const HELLO = join(import.meta.dirname, "../../../guest/bin/hello");

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(argv, io);
  return { status, out: io.out, err: io.err };
}

/** The page is whole, needs nothing from outside, and shows how to reproduce it. */
function selfContained(html: string, command: string): void {
  expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  expect(html.trimEnd().endsWith("</html>")).toBe(true);
  expect(html).not.toMatch(/<script|<link|<img|src=|@import/i);
  expect(html).toContain("<h2>How to reproduce</h2>");
  expect(html).toContain(`<pre><code>${escapeHtml(command)}</code></pre>`);
  expect(html).toContain("<h2>Configuration</h2>");
}

describe("mmulab report", () => {
  it("a run: summary, TLB table, a plot, every counter", async () => {
    const json = join(dir, "run.json");
    expect((await cli("run", HELLO, "--arch", "x86-64", "--json", json)).status).toBe(0);
    const r = await cli("report", json);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toBe(join(dir, "run.html") + "\n");
    const html = readFileSync(join(dir, "run.html"), "utf8");
    selfContained(html, `mmulab run ${HELLO} --arch x86-64 --json ${json}`);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(html).toContain(`<td class="n">${doc.counters.instret.toLocaleString("en-US")}</td>`);
    expect(html).toContain("L1 D-TLB");
    expect(html).toMatch(/<figure><svg[^>]*>[\s\S]*page walks[\s\S]*<\/svg><\/figure>/);
    expect(html).toContain("&quot;arch&quot;: &quot;x86-64&quot;");
    // the machine is named, and every counter says what it counts
    expect(html).toContain("<td>machine</td><td class=\"n\">x86-64</td>");
    expect(html).toContain("<td>psc_pde_hit</td>");
    expect(html).toContain("walks that skipped to the PTE level on a PDE-cache hit");
    expect(html).not.toContain("<td>mips_refills</td>");
  });

  it("a run with --stats-every: a plot over time, after the summary", async () => {
    const json = join(dir, "series.json");
    const QSORT = join(import.meta.dirname, "../../../guest/bin/qsort");
    expect((await cli("run", QSORT, "--stats-every", "20000", "--json", json)).status).toBe(0);
    expect((await cli("report", json, "-o", join(dir, "series.html"))).status).toBe(0);
    const html = readFileSync(join(dir, "series.html"), "utf8");
    expect(html.indexOf("<h2>Over time</h2>")).toBeGreaterThan(html.indexOf("<h2>Summary</h2>"));
    expect(html).toMatch(/<h2>Over time<\/h2>\s*<figure><svg[\s\S]*L1 D-TLB miss %[\s\S]*<\/svg><\/figure>/);
  });

  it("a compare, a single-TLB trace study and a whole-machine trace", async () => {
    const cmp = join(dir, "cmp.json");
    await cli("compare", HELLO, "--archs", "riscv-sv39,x86-64", "--json", cmp);
    expect((await cli("report", cmp, "-o", join(dir, "c.html"))).status).toBe(0);
    const c = readFileSync(join(dir, "c.html"), "utf8");
    selfContained(c, `mmulab compare ${HELLO} --archs riscv-sv39,x86-64 --json ${cmp}`);
    expect(c).toContain("translation is transparent");
    expect(c).toContain("<td>x86-64</td>");

    const tt = join(dir, "tt.json");
    await cli("trace", "--gen", "loop:65", "--refs", "6500", "--entries", "64", "--ways", "64", "--opt", "--json", tt);
    expect((await cli("report", tt)).status).toBe(0);
    const t = readFileSync(join(dir, "tt.html"), "utf8");
    selfContained(t, `mmulab trace --gen loop:65 --refs 6500 --entries 64 --ways 64 --opt --json ${tt}`);
    expect(t).toContain("<td>misses</td><td class=\"n\">6,500</td>");   // LRU misses on every access of the n+1 loop

    const bin = join(dir, "h.bin"), mt = join(dir, "mt.json");
    await cli("record", HELLO, "-o", bin);
    await cli("trace", bin, "--arch", "riscv-sv39", "--no-ifetch", "--json", mt);
    expect((await cli("report", mt)).status).toBe(0);
    const m = readFileSync(join(dir, "mt.html"), "utf8");
    selfContained(m, `mmulab trace ${bin} --arch riscv-sv39 --no-ifetch --json ${mt}`);
    expect(m).toContain("<td>instruction fetches</td><td class=\"n\">dropped</td>");
  });

  it("a sweep: its tables and both plots inline", async () => {
    const lackey = join(dir, "s.lackey"), out = join(dir, "sw");
    writeFileSync(lackey, Array.from({ length: 400 }, (_, i) => ` L ${(0x10000 + (i % 40) * 4096).toString(16)},8`).join("\n"));
    expect((await cli("sweep", lackey, "--entries", "16,64", "--archs", "riscv-sv39", "--jobs", "1", "--out", out)).status).toBe(0);
    expect((await cli("report", join(out, "sweep.json"))).status).toBe(0);
    const html = readFileSync(join(out, "sweep.html"), "utf8");
    selfContained(html, `mmulab sweep ${lackey} --entries 16,64 --archs riscv-sv39 --jobs 1 --out ${out}`);
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain("<th class=\"n\">MIN (optimum)</th>");
    expect(html).toContain("<h3>Translation cost per machine</h3>");
  });

  it("an older document without its command line gets the nearest one, marked as such", async () => {
    const json = join(dir, "old.json");
    await cli("run", HELLO, "--json", json);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    delete doc.command;
    writeFileSync(json, JSON.stringify(doc));
    expect((await cli("report", json)).status).toBe(0);
    const html = readFileSync(join(dir, "old.html"), "utf8");
    expect(html).toContain("does not record its command line");
    expect(html).toContain(`mmulab run ${HELLO} --arch riscv-sv39`);
  });

  it("bad input: one line, status 2", async () => {
    const notJson = join(dir, "x.txt"), other = join(dir, "other.json");
    writeFileSync(notJson, "hello");
    writeFileSync(other, JSON.stringify({ hello: 1 }));
    for (const argv of [["report"], ["report", notJson], ["report", other], ["report", join(dir, "none.json")],
      ["report", other, "--bogus"]]) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(/^mmulab: [^\n]+\n$/);
    }
  });
});
