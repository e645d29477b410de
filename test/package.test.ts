// The npm package as a user gets it: `npm pack`, install the tarball into an empty project, run a shipped guest
// through `npx mmulab`, and compile a strict TypeScript file that imports the library API by the package's name.
// Installing pulls the runtime dependencies from the npm registry; without a registry (offline, outside CI) the
// test says so and is skipped — under CI it must run.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const CI = Boolean(process.env.CI);
let dir = "";
let installed = false;
let why = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mmulab-pack-"));
  // --ignore-scripts: dist/ and build/ are already built by the suite's setup; pack what is there.
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  const proj = join(dir, "proj");
  execFileSync("mkdir", [proj]);
  writeFileSync(join(proj, "package.json"), JSON.stringify({ name: "try-mmulab", private: true, type: "module" }));
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", join(dir, tgz)], { cwd: proj, encoding: "utf8" });
  installed = r.status === 0;
  why = (r.stderr || r.stdout).split("\n").filter(Boolean).slice(-3).join(" | ");
}, 300_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe("the npm package", () => {
  it("ships the built CLI, the wasm, the machines' data files and the user guests, and no tests or sources", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of ["bin/mmulab.js", "dist/cli/main.js", "dist/index.js", "dist/index.d.ts", "build/mmulab.wasm",
      "src/arch/riscv/riscv-sv39.json", "guest/bin/hello", "README.md"]) expect(files).toContain(f);
    expect(files.filter((f) => /^(test|bench|assembly|\.ci)\//.test(f) || /^src\/.*\.ts$/.test(f))).toEqual([]);
  });

  it("installs from the tarball; npx mmulab runs a shipped guest; a strict TypeScript file imports the API", (ctx) => {
    if (!installed) {
      if (CI) expect.fail(`npm install of the packed tarball failed: ${why}`);
      ctx.skip(`npm install of the tarball failed (no registry?): ${why}`);
    }
    const proj = join(dir, "proj");
    const run = spawnSync("npx", ["mmulab", "run", "node_modules/mmulab/guest/bin/hello", "--stats"], { cwd: proj, encoding: "utf8" });
    expect(run.stderr).not.toMatch(/Error:|internal error|ERR_/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Hello");
    writeFileSync(join(proj, "use.ts"), [
      'import { runGuest, machineConfig, type Arch } from "mmulab";',
      'const arch: Arch = "x86-64";',
      'const r = runGuest({ path: "node_modules/mmulab/guest/bin/hello", arch });',
      'const c = machineConfig({ arch });',
      'console.log(r.exitCode, r.stdout.length > 0, typeof c);',
    ].join("\n"));
    writeFileSync(join(proj, "tsconfig.json"), JSON.stringify({ compilerOptions: {
      strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, types: [] } }));
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: proj, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 120_000);
});
