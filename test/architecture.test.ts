// The layers of ARCHITECTURE.md, enforced: every relative import (static `from "…"` and dynamic `import("…")`) of
// src/ and assembly/ is reduced to an arrow between nodes (a folder under the tree's root, or a file at the root),
// and each arrow must be one the document's `layers` block allows. A folder the block does not name fails, and so
// does any cycle between nodes. The checker runs on small fixture trees too, one of which breaks every rule, so
// this test is shown to fail when it should.

import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/architecture/", import.meta.url));

interface Rules {
  allowed: Map<string, Set<string>>;                 // node → nodes it may import
  narrowed: { pattern: RegExp; key: string; allow: Set<string> }[];   // file rules (keys with '*')
}

/** The `layers` block of an ARCHITECTURE.md: lines `node: node node …`. */
function readRules(doc: string): Rules {
  const m = /```layers\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error("ARCHITECTURE.md has no ```layers block");
  const rules: Rules = { allowed: new Map(), narrowed: [] };
  for (const line of m[1]!.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon < 0) throw new Error(`bad layers line: ${line}`);
    const key = line.slice(0, colon).trim();
    const allow = new Set(line.slice(colon + 1).trim().split(/\s+/).filter((s) => s !== ""));
    if (key.includes("*")) {
      const re = new RegExp(`^${key.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+")}$`);
      rules.narrowed.push({ pattern: re, key, allow });
    } else {
      rules.allowed.set(key, allow);
    }
  }
  return rules;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** The node a file belongs to: `tree/folder`, or `tree/file.ts` for a file at the tree's root. */
function nodeOf(rel: string): string {
  const parts = rel.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : rel;
}

interface Arrow { from: string; to: string; file: string; spec: string }

/** Every relative import between nodes of the trees under root. */
function arrows(root: string, trees: string[]): { arrows: Arrow[]; nodes: Set<string> } {
  const out: Arrow[] = [];
  const nodes = new Set<string>();
  for (const tree of trees) {
    for (const f of sourceFiles(join(root, tree))) {
      const rel = relative(root, f).split(sep).join("/");
      const from = nodeOf(rel);
      nodes.add(from);
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
        const spec = m[1]!;
        const target = normalize(join(dirname(rel), spec)).split(sep).join("/").replace(/\.js$/, "").replace(/(\.ts)?$/, ".ts");
        const to = nodeOf(target);
        if (to !== from) out.push({ from, to, file: rel, spec });
      }
    }
  }
  return { arrows: out, nodes };
}

/** Everything wrong with the imports of the trees under root, measured against its ARCHITECTURE.md. */
export function architectureProblems(root: string, trees: string[]): string[] {
  const rules = readRules(readFileSync(join(root, "ARCHITECTURE.md"), "utf8"));
  const { arrows: all, nodes } = arrows(root, trees);
  const problems: string[] = [];
  for (const n of [...nodes].sort()) {
    if (!rules.allowed.has(n)) problems.push(`${n} is not named in ARCHITECTURE.md's layers`);
  }
  for (const a of all) {
    const allow = rules.allowed.get(a.from);
    if (allow && !allow.has(a.to)) problems.push(`${a.file} imports ${a.spec}: ${a.from} may not import ${a.to}`);
    for (const r of rules.narrowed) {
      if (r.pattern.test(a.file) && !r.allow.has(a.to)) problems.push(`${a.file} imports ${a.spec}: ${r.key} may not import ${a.to}`);
    }
  }
  // Cycles between nodes (depth-first search over the arrows that exist).
  const next = new Map<string, Set<string>>();
  for (const a of all) (next.get(a.from) ?? next.set(a.from, new Set()).get(a.from)!).add(a.to);
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (n: string): void => {
    state.set(n, "open");
    path.push(n);
    for (const m of [...(next.get(n) ?? [])].sort()) {
      if (state.get(m) === "open") problems.push(`cycle: ${[...path.slice(path.indexOf(m)), m].join(" → ")}`);
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, "done");
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return [...new Set(problems)];
}

describe("the layers of ARCHITECTURE.md", () => {
  it("src/ and assembly/ import only what their layer may, without cycles", () => {
    expect(architectureProblems(ROOT, ["src", "assembly"])).toEqual([]);
  });

  it("names no node that does not exist (the description stays current)", () => {
    const rules = readRules(readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8"));
    for (const n of rules.allowed.keys()) expect(existsSync(join(ROOT, n)), n).toBe(true);
  });

  it("the checker passes a tree that keeps its rules", () => {
    expect(architectureProblems(join(FIXTURES, "ok"), ["src"])).toEqual([]);
  });

  it("the checker fails a forbidden import, a cycle, and a folder the rules do not name", () => {
    const p = architectureProblems(join(FIXTURES, "bad"), ["src"]);
    expect(p).toContain("src/low/leaf.ts imports ../high/top.js: src/low may not import src/high");
    expect(p).toContain("cycle: src/high → src/low → src/high");
    expect(p).toContain("src/other is not named in ARCHITECTURE.md's layers");
    expect(p).toHaveLength(3);
  });
});
