// The initial process stack, laid out as Linux's fs/binfmt_elf.c (create_elf_tables) and fs/exec.c build it
// (shared reference linux_riscv64_abi.md §5). From the top down: an 8-byte null word, the executable's name
// (AT_EXECFN), the environment strings, the argument strings, alignment to 16, the 16 AT_RANDOM bytes, padding,
// then at sp: argc, argv[], NULL, envp[], NULL, auxv pairs ending in AT_NULL, with sp 16-byte aligned.

export const AT_NULL = 0, AT_IGNORE = 1, AT_EXECFD = 2, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
  AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_NOTELF = 10, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
  AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_BASE_PLATFORM = 24, AT_RANDOM = 25,
  AT_HWCAP2 = 26, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33;

/** rv64imafdc: one bit per single-letter extension, bit (letter − 'A'). */
export const RISCV_HWCAP = 0x112D;

export interface StackImage {
  sp: number;                 // initial stack pointer
  bytes: Uint8Array;          // contents of [sp, top)
  argvAddrs: number[];
  envpAddrs: number[];
  execfnAddr: number;
  randomAddr: number;
}

/** What the auxiliary vector needs from the loaded program. */
export interface AuxInfo {
  phdr: number;
  phnum: number;
  entry: number;
  base: number;               // interpreter base (0: none)
  uid: number;
  gid: number;
}

/** The auxiliary vector in Linux's order (no vDSO, so no AT_SYSINFO_EHDR; riscv has no AT_PLATFORM). */
export function auxVector(info: AuxInfo, random: number, execfn: number): [number, number][] {
  return [
    [AT_HWCAP, RISCV_HWCAP],
    [AT_PAGESZ, 4096],
    [AT_CLKTCK, 100],
    [AT_PHDR, info.phdr],
    [AT_PHENT, 56],
    [AT_PHNUM, info.phnum],
    [AT_BASE, info.base],
    [AT_FLAGS, 0],
    [AT_ENTRY, info.entry],
    [AT_UID, info.uid],
    [AT_EUID, info.uid],
    [AT_GID, info.gid],
    [AT_EGID, info.gid],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_EXECFN, execfn],
    [AT_NULL, 0],
  ];
}

const enc = new TextEncoder();

/** A string for the new stack: text (written as UTF-8) or the exact bytes a guest passed to execve. */
export type StackString = string | Uint8Array;

function cString(s: StackString): Uint8Array {
  if (typeof s === "string") return enc.encode(s + "\0");
  const b = new Uint8Array(s.length + 1);
  b.set(s);
  return b;
}

/**
 * Builds the initial stack image below `top`. `randomBytes` (16) feed AT_RANDOM. Throws RangeError when the
 * strings do not fit in `limit` bytes (Linux's E2BIG).
 */
export function buildStack(top: number, argv: readonly StackString[], envp: readonly StackString[], execfn: StackString, info: AuxInfo,
                           randomBytes: Uint8Array, limit: number): StackImage {
  const pieces: { at: number; data: Uint8Array }[] = [];
  let p = top - 8;                                    // bprm->p starts one pointer below the top
  const put = (s: StackString): number => {
    const b = cString(s);
    p -= b.length;
    pieces.push({ at: p, data: b });
    return p;
  };
  const execfnAddr = put(execfn);
  const envpAddrs = new Array<number>(envp.length);
  for (let i = envp.length - 1; i >= 0; i--) envpAddrs[i] = put(envp[i]!);
  const argvAddrs = new Array<number>(argv.length);
  for (let i = argv.length - 1; i >= 0; i--) argvAddrs[i] = put(argv[i]!);
  p -= p % 16;                                        // arch_align_stack without randomization
  p -= 16;
  const randomAddr = p;
  pieces.push({ at: p, data: randomBytes.subarray(0, 16) });
  const aux = auxVector(info, randomAddr, execfnAddr);
  const words = 1 + argv.length + 1 + envp.length + 1 + 2 * aux.length;
  let sp = p - 8 * words;
  sp -= ((sp % 16) + 16) % 16;                        // STACK_ROUND
  if (top - sp > limit) throw new RangeError("argument list too long");

  const bytes = new Uint8Array(top - sp);
  const dv = new DataView(bytes.buffer);
  for (const piece of pieces) bytes.set(piece.data, piece.at - sp);
  let w = 0;
  const word = (v: number): void => { dv.setBigUint64(w, BigInt(v), true); w += 8; };
  word(argv.length);
  for (const a of argvAddrs) word(a);
  word(0);
  for (const e of envpAddrs) word(e);
  word(0);
  for (const [k, v] of aux) { word(k); word(v); }
  return { sp, bytes, argvAddrs, envpAddrs, execfnAddr, randomAddr };
}
