// One source for every hardware format: the wasm defines each page-table entry, register and field once
// (assembly/arch/<machine>/format.ts, exported by name from assembly/index.ts), and the TypeScript pmaps in src/arch
// read those exports (wasmLayout / wasmLayout64) instead of restating them. This test parses every src/arch module
// and fails when a constant named like a hardware format (or a field of one) is given a number written out again,
// or when an expression masks or shifts by a field's position or width written out. The exceptions are listed
// below, each with its reason: the software bits a pmap picks for its own bookkeeping (checked to stay clear of
// every hardware bit of their entry), the OS's and the model's own choices, and any hardware fact the wasm does not
// export yet (none now).

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { wasmLayout, wasmLayout64 } from "../../../src/machine/wasm.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ARCH = join(ROOT, "src/arch");

/**
 * Names of hardware-format constants: entry bits and fields (PTE, HPTE, TTE, EntryLo images, mapping words, GPT
 * entries, VAX PG_*), table and group geometry, register bits and numbers (CR3/CR4, satp, VAX PR_*), protection
 * codes, address-space bases, context and ASID widths.
 */
const FORMAT_NAME = new RegExp(
  "^(PTE|HPTE|HPTES|PTEG|TTE|TSB|ENTRYLO|X86|SV[0-9]*|SATP|CR[0-9]|GPT|MAP|NODE_HEADER|PG|PR|PROT_(NA|KW|UW|UR)|VAX|MIPS|" +
  "M1|M3|KSEG[0-9]|HASHED|SLB|DSISR|HTAB|VSID|ESID|SPARC|CTX_NR|P1_BASE|S0_BASE|POWER)(_|$)",
);

/** Software bits a pmap keeps in its entries (the hardware ignores them; the wasm does not define them). */
const SOFTWARE_BITS: Record<string, { file: string; clearOf: () => bigint }> = {
  PTE_SW_WIRED: { file: "riscv/pmap.ts", clearOf: () => svHardwareBits() },
  X86_SW_WIRED: { file: "x86-64/pmap.ts", clearOf: () => x86HardwareBits() },
  TTE_SW_WIRED: { file: "sparc/pmap.ts", clearOf: () => tteHardwareBits() },
  MAP_SW_WIRED: { file: "hashed/pmap.ts", clearOf: () => hashedHardwareBits() },
  PG_WIRED: { file: "vax/pmap.ts", clearOf: () => vaxHardwareBits() },
  PG_NOREF: { file: "vax/pmap.ts", clearOf: () => vaxHardwareBits() },
  M1_NOREF: { file: "mips/pmap.ts", clearOf: () => mips1Bits() },
  M3_NOREF: { file: "mips/pmap.ts", clearOf: () => mips3Bits() },
};

/** Constants named like formats that are the OS's or this model's choices, not the hardware's. */
const CHOICES: Record<string, string> = {
  "x86-64/pmap.ts X86_USER_TOP": "Linux TASK_SIZE (DEFAULT_MAP_WINDOW under LA57)",
  "guarded/pmap.ts GPT_USER_TOP": "the OS's user half of the 48-bit space",
  "power/mmu.ts POWER_MAX_CONTEXT": "this model's 16-bit TLB address-space tag",
  "vax/mmu.ts VAX_PROCESS_SLOTS": "the pmap's VMS-style balance slots",
  "mips/mmu.ts MIPS_R3000.flushPages": "Linux's range-flush limit (local_flush_tlb_range)",
  "mips/mmu.ts MIPS_R4000.flushPages": "Linux's range-flush limit (local_flush_tlb_range)",
};

/**
 * Hardware facts the TypeScript still writes out because the wasm exports no constant for them (each would move
 * to assembly/arch/<machine>/format.ts and be read from there). Empty: keep it so, a new entry is a gap to close.
 */
const NOT_EXPORTED: Record<string, string> = {
};

const L = wasmLayout(), L64 = wasmLayout64();
const or = (...v: bigint[]): bigint => v.reduce((a, b) => a | b, 0n);
const svHardwareBits = (): bigint => or(L64.SV_PTE_V, L64.SV_PTE_R, L64.SV_PTE_W, L64.SV_PTE_X, L64.SV_PTE_U,
  L64.SV_PTE_G, L64.SV_PTE_A, L64.SV_PTE_D, L64.SV_PTE_PPN_MASK << BigInt(L.SV_PTE_PPN_SHIFT), L64.SV_PTE_RESERVED);
const x86HardwareBits = (): bigint => or(L64.X86_PTE_P, L64.X86_PTE_RW, L64.X86_PTE_US, L64.X86_PTE_PWT,
  L64.X86_PTE_PCD, L64.X86_PTE_A, L64.X86_PTE_D, L64.X86_PTE_PS, L64.X86_PTE_G, L64.X86_PTE_XD, L64.X86_PTE_ADDR_MASK);
const tteHardwareBits = (): bigint => or(L64.TTE_V, L64.TTE_SIZE, L64.TTE_PMD_HUGE, L64.TTE_PA, L64.TTE_EXEC,
  L64.TTE_MODIFIED, L64.TTE_ACCESSED, L64.TTE_READ, L64.TTE_WRITE, L64.TTE_PRESENT, L64.TTE_L, L64.TTE_CP, L64.TTE_CV,
  L64.TTE_E, L64.TTE_P, L64.TTE_W, L64.TTE_G);
const hashedHardwareBits = (): bigint => or(L64.HASHED_MAP_V, L64.HASHED_MAP_R, L64.HASHED_MAP_W, L64.HASHED_MAP_X,
  L64.HASHED_MAP_REF, L64.HASHED_MAP_MOD, L64.HASHED_MAP_FRAME);
const vaxHardwareBits = (): bigint =>
  BigInt(L.VAX_PTE_V | L.VAX_PTE_M | L.VAX_PFN_MASK | (L.VAX_PTE_PROT_MASK << L.VAX_PTE_PROT_SHIFT)) &
  0xFFFF_FFFFn;

// EntryLo's hardware fields and the software RO / WIRED bits the wasm's format already defines.
const mips1Bits = (): bigint => or(L64.MIPS_R3000_ENTRYLO_G, L64.MIPS_R3000_ENTRYLO_V, L64.MIPS_R3000_ENTRYLO_D,
  L64.MIPS_R3000_ENTRYLO_N, L64.MIPS_R3000_ENTRYLO_RO, L64.MIPS_R3000_ENTRYLO_WIRED, L64.MIPS_R3000_ENTRYLO_PFN);
const mips3Bits = (): bigint => or(L64.MIPS_R4000_ENTRYLO_G, L64.MIPS_R4000_ENTRYLO_V, L64.MIPS_R4000_ENTRYLO_D,
  L64.MIPS_R4000_ENTRYLO_CACHED, L64.MIPS_R4000_ENTRYLO_RO, L64.MIPS_R4000_ENTRYLO_WIRED,
  L64.MIPS_R4000_ENTRYLO_PFN_MASK << BigInt(L.MIPS_R4000_ENTRYLO_PFN_SHIFT));

/** Whether an expression is made of number literals only (e.g. `0x80n`, `1n << 47n`, `2 ** 43`, `(8)`). */
function literalOnly(e: ts.Expression): boolean {
  if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e)) return true;
  if (ts.isParenthesizedExpression(e)) return literalOnly(e.expression);
  if (ts.isPrefixUnaryExpression(e)) return literalOnly(e.operand as ts.Expression);
  if (ts.isBinaryExpression(e)) return literalOnly(e.left) && literalOnly(e.right);
  if (ts.isAsExpression(e)) return literalOnly(e.expression);
  return false;
}

/** A literal's value as a bigint (the test only evaluates the software bits, all written as shifts or numbers). */
function literalValue(e: ts.Expression): bigint {
  if (ts.isNumericLiteral(e)) return BigInt(Number(e.text));
  if (ts.isBigIntLiteral(e)) return BigInt(e.text.slice(0, -1));
  if (ts.isParenthesizedExpression(e)) return literalValue(e.expression);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.LessThanLessThanToken) {
    return literalValue(e.left) << literalValue(e.right);
  }
  throw new Error(`cannot evaluate ${e.getText()}`);
}

interface Restated { file: string; line: number; name: string; text: string; init: ts.Expression }

/** Every constant in `source` whose name is a format's and whose value (or one of whose fields) is written out. */
function restatedFormats(file: string, source: string): Restated[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const out: Restated[] = [];
  const note = (name: string, init: ts.Expression, at: ts.Node): void => {
    const line = sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1;
    out.push({ file, line, name, text: at.getText(sf), init });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && FORMAT_NAME.test(n.name.text)) {
      let init: ts.Expression = n.initializer;
      while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (literalOnly(init)) note(n.name.text, init, n);
      else if (ts.isObjectLiteralExpression(init)) {
        for (const p of init.properties) {
          // A field of 0 says "no bits" (a format without that feature), not a restated value.
          if (ts.isPropertyAssignment(p) && literalOnly(p.initializer) && !/^0n?$/.test(p.initializer.getText(sf))) note(`${n.name.text}.${p.name.getText(sf)}`, p.initializer, p);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const K = ts.SyntaxKind;
const FIELD_OPERATORS = new Set([K.AmpersandToken, K.LessThanLessThanToken, K.GreaterThanGreaterThanToken,
  K.GreaterThanGreaterThanGreaterThanToken, K.AsteriskAsteriskToken]);
/** Operands that say nothing about a format: none or one bit, powers of two, and byte and word handling. */
const NEUTRAL_OPERAND = /^(0|1|2|8|16|24|64|0xFF|0xFFFF_FFFF)n?$/;

/**
 * Every expression in `source` that masks, shifts or raises 2 by a written-out number (a field's position or
 * width, e.g. `pte & 15`, `vsid << 5n`, `va / 2 ** 21`) outside a named constant's literal definition (those are
 * the name check's), byte and word handling aside.
 */
function unnamedFields(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer && literalOnly(n.initializer)) return;
    if (ts.isBinaryExpression(n) && FIELD_OPERATORS.has(n.operatorToken.kind)) {
      for (const side of [n.left, n.right]) {
        if ((ts.isNumericLiteral(side) || ts.isBigIntLiteral(side)) && !NEUTRAL_OPERAND.test(side.getText(sf))) {
          const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
          out.push(`src/arch/${file}:${line}: ${n.getText(sf)}`);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []);
}

const found = tsFiles(ARCH).flatMap((f) => restatedFormats(relative(ARCH, f), readFileSync(f, "utf8")));

describe("hardware formats have one source: the wasm", () => {
  it("the check recognises a format restated (so an empty result below means something)", () => {
    const src = [
      "export const PTE_V = 1n << 0n;",
      "export const PR_SBR = 12, PR_SLR = 13;",
      "const TSB_MAX_BYTES = 1024 * 1024;",
      "export const M3 = { G: 0x1n, V: L64.X } as const;",
      "const PTE_R = L64.SV_PTE_R;",            // read from the wasm: fine
      "export const FLUSH_ALL_THRESHOLD = 64;", // a policy, not a format
    ].join("\n");
    expect(restatedFormats("sample.ts", src).map((r) => r.name)).toEqual(["PTE_V", "PR_SBR", "PR_SLR", "TSB_MAX_BYTES", "M3.G"]);
  });

  it("the check recognises a field written out inside an expression", () => {
    const src = [
      "const code = (pte >>> PROT_SHIFT) & 15;",
      "const avpn = (vsid << 5n) | x;",
      "const tag = Math.floor(va / 2 ** 21);",
      "const word = b[0]! | (b[1]! << 8) | (v & 0xFF);", // byte handling: fine
      "const TOP = 2 ** 47;",                            // a named constant: the name check's
    ].join("\n");
    expect(unnamedFields("sample.ts", src)).toEqual([
      "src/arch/sample.ts:1: (pte >>> PROT_SHIFT) & 15", "src/arch/sample.ts:2: vsid << 5n",
      "src/arch/sample.ts:3: 2 ** 21",
    ]);
  });

  it("no src/arch expression writes out a field's position or width: each is read from the wasm's exports", () => {
    expect(tsFiles(ARCH).flatMap((f) => unnamedFields(relative(ARCH, f), readFileSync(f, "utf8")))).toEqual([]);
  });

  it("no src/arch module writes out a hardware-format constant: each is read from the wasm's exports", () => {
    const restated = found.filter((r) => !(r.name in SOFTWARE_BITS && SOFTWARE_BITS[r.name]!.file === r.file) &&
      !(`${r.file} ${r.name}` in CHOICES) && !(`${r.file} ${r.name}` in NOT_EXPORTED));
    expect(restated.map((r) => `src/arch/${r.file}:${r.line}: ${r.text}`)).toEqual([]);
  });

  it("every listed exception is still there (a stale entry would hide a new restatement)", () => {
    const keys = new Set(found.map((r) => `${r.file} ${r.name}`));
    for (const k of [...Object.keys(CHOICES), ...Object.keys(NOT_EXPORTED)]) expect(keys.has(k), k).toBe(true);
  });

  it("the software bits a pmap keeps for itself lie clear of every hardware bit of their entry", () => {
    for (const [name, { file, clearOf }] of Object.entries(SOFTWARE_BITS)) {
      const r = found.find((x) => x.name === name && x.file === file);
      expect(r, `${name} in src/arch/${file}`).toBeDefined();
      const bit = literalValue(r!.init);
      expect(bit !== 0n && (bit & (bit - 1n)) === 0n, `${name} is one bit`).toBe(true);
      expect(bit & clearOf(), `${name} overlaps a hardware bit`).toBe(0n);
    }
  });
});
