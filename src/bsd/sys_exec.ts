// execve and execveat (Linux fs/exec.c do_execveat_common, bprm_execve and exec_binprm; fs/binfmt_script.c;
// man 2 execve, man 2 execveat). Everything that can fail with an errno is done first, while the calling program
// still exists to be told: the program is looked up in the guest's file system and must be a regular file with
// execute permission (EACCES), argv and envp are copied in within Linux's limits (EFAULT, E2BIG), "#!" scripts
// are replaced by their interpreters, and the final file must be an executable this machine runs (ENOEXEC).
// Then kern/exec.ts replaces the address space (the point of no return).

import { execReplace, type ExecArgs } from "../kern/exec.js";
import { ElfError, type ElfImage, parseElf } from "../loader/elf.js";
import { VnodeFile } from "../fs/file.js";
import { existing, pathOf, walk } from "../fs/namei.js";
import { fileRead } from "../fs/vnode_pager.js";
import type { FileNode, Vnode } from "../fs/vnode.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
import { E2BIG, EACCES, EBADF, EFAULT, EINVAL, ELOOP, ENOENT, ENOEXEC, ENOMEM } from "../sys/errno.js";
import { addr, int } from "./args.js";
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, bytesOf, files, pathArg, startDir } from "./file_args.js";
import { defaultRlimit, RLIMIT_STACK } from "./sys_proc.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

/** Longest single argument or environment string, NUL included (include/uapi/linux/binfmts.h). */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** The least room for arguments whatever RLIMIT_STACK says (include/uapi/linux/limits.h ARG_MAX). */
const ARG_MAX = 131072;
/** _STK_LIM (include/uapi/linux/resource.h): arguments take at most three quarters of it. */
const STK_LIM = 8 * 1024 * 1024;
/** The bytes of the file a format handler looks at (BINPRM_BUF_SIZE). */
const BINPRM_BUF_SIZE = 256;
/**
 * exec_binprm gives up with ELOOP when a sixth format handler would run, so five "#!" rewrites may come before the
 * final executable ("if (depth > 5) return -ELOOP"; checked on Linux 6.18: a chain of five scripts runs, six fail).
 * Older kernels stopped one level earlier (BINPRM_MAX_RECURSION 4).
 */
const MAX_REWRITES = 5;

const latin1 = new TextDecoder("latin1");

/** The program found for an exec: its file and the absolute path /proc/self/exe will show. */
interface Program {
  node: FileNode;
  path: string;
}

/** Checks what do_open_execat checks: a regular file (EACCES otherwise) the guest may execute (EACCES). */
function executable(node: Vnode): number {
  if (node.type !== "reg") return -EACCES;
  // One user owns every file: the owner's execute bit decides (may_open with MAY_EXEC).
  return (node.mode >> 6) & 1 ? 0 : -EACCES;
}

/** Opens `path` from dirfd for execution (open_exec); `follow` false makes a final symbolic link ELOOP. */
function openExec(ctx: SyscallContext, dirfd: number, path: string, follow: boolean): Program | number {
  const start = startDir(ctx, dirfd, path);
  if (typeof start === "number") return start;
  const w = walk(files(ctx).fs.root, start, path, follow);
  if (typeof w === "number") return w;
  const node = existing(w);
  if (typeof node === "number") return node;
  if (node.type === "lnk") return -ELOOP;            // O_NOFOLLOW on a symbolic link
  const bad = executable(node);
  if (bad < 0 || node.type !== "reg") return bad;
  const dir = pathOf(w.parent);
  return { node, path: dir === undefined ? path : dir === "/" ? `/${w.name}` : `${dir}/${w.name}` };
}

/** The first BINPRM_BUF_SIZE bytes of the file, zero padded (prepare_binprm). */
function headBuffer(node: FileNode): Uint8Array {
  const buf = new Uint8Array(BINPRM_BUF_SIZE);
  buf.set(fileRead(node, 0, BINPRM_BUF_SIZE));
  return buf;
}

const spacetab = (c: number): boolean => c === 0x20 || c === 0x09;

/** The C string at [from, to) of buf: it ends at the first NUL. */
function cstr(buf: Uint8Array, from: number, to: number): Uint8Array {
  const s = buf.subarray(from, to);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).slice();
}

/**
 * Parses a "#!" line as binfmt_script's load_script does: the interpreter's name and its optional single
 * argument (everything after the name up to the end of the line, trailing blanks trimmed). ENOEXEC when the line
 * names no interpreter or the name may be cut off by the 256-byte buffer; undefined when it is no script.
 */
export function parseInterpreterLine(buf: Uint8Array): { name: Uint8Array; arg: Uint8Array | undefined } | number | undefined {
  if (buf[0] !== 0x23 || buf[1] !== 0x21) return undefined;   // "#!"
  const last = buf.length - 1;
  const nextNonSpacetab = (from: number, to: number): number => {
    for (let i = from; i <= to; i++) if (!spacetab(buf[i]!)) return i;
    return -1;
  };
  const nextTerminator = (from: number, to: number): number => {
    for (let i = from; i <= to; i++) if (spacetab(buf[i]!) || buf[i] === 0) return i;
    return -1;
  };
  let end = buf.indexOf(0x0A);
  if (end < 0) {
    end = nextNonSpacetab(2, last);
    if (end < 0) return -ENOEXEC;                           // the whole buffer is blanks
    if (nextTerminator(end, last) < 0) return -ENOEXEC;     // the interpreter's name may be truncated
    end = last;
  }
  while (spacetab(buf[end - 1]!)) end--;
  const name = nextNonSpacetab(2, end);
  if (name < 0 || name === end) return -ENOEXEC;            // no interpreter named
  const sep = nextTerminator(name, end);
  const arg = sep >= 0 && buf[sep] !== 0 ? nextNonSpacetab(sep, end) : -1;
  if (arg >= 0) return { name: cstr(buf, name, sep), arg: cstr(buf, arg, end) };
  return { name: cstr(buf, name, end), arg: undefined };
}

/**
 * Reads a NULL-terminated array of string pointers (count): EFAULT when a pointer cannot be read, E2BIG beyond
 * `max` entries. A NULL array is empty.
 */
function readPointers(ctx: SyscallContext, base: number, max: number): number[] | number {
  const out: number[] = [];
  if (base === 0) return out;
  for (let i = 0; ; i++) {
    const p = ctx.task.um.readU64(base + 8 * i);
    if (p === undefined) return -EFAULT;
    if (p === 0n) return out;
    if (i >= max) return -E2BIG;
    out.push(addr(p));
  }
}

/** Room for the strings and pointers of a new stack (bprm_stack_limits). */
function argumentRoom(ctx: SyscallContext): number {
  const cur = (ctx.task.rlimits.get(RLIMIT_STACK) ?? defaultRlimit(RLIMIT_STACK)).cur;
  const quarter = cur / 4n > BigInt(STK_LIM) ? STK_LIM : Number(cur / 4n);
  return Math.max(Math.min(STK_LIM / 4 * 3, quarter), ARG_MAX);
}

/** execveat's work for execve (dirfd AT_FDCWD, flags 0) and execveat. */
function execveat(ctx: SyscallContext, dirfd: number, pathp: bigint, argvp: bigint, envpp: bigint, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = pathArg(ctx, pathp);
  if (typeof path === "number") return path;
  let prog: Program | number;
  let filename: string;            // bprm->filename: what AT_EXECFN and a script's interpreter are given
  let pathInaccessible = false;    // a /dev/fd/N name of a close-on-exec descriptor: gone after the exec
  if (path === "") {
    if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
    const f = files(ctx).get(dirfd);
    if (!f) return -EBADF;
    if (!(f instanceof VnodeFile)) return -EACCES;
    const bad = executable(f.node);
    prog = bad < 0 || f.node.type !== "reg" ? bad : { node: f.node, path: `/dev/fd/${dirfd}` };
    filename = `/dev/fd/${dirfd}`;
    pathInaccessible = files(ctx).cloexec(dirfd);
  } else {
    prog = openExec(ctx, dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW));
    if (dirfd === AT_FDCWD || path.startsWith("/")) filename = path;
    else {
      filename = `/dev/fd/${dirfd}/${path}`;
      pathInaccessible = files(ctx).cloexec(dirfd);
    }
  }
  if (typeof prog === "number") return prog;

  // Arguments and environment (count, bprm_stack_limits, copy_strings), in Linux's order.
  const room = argumentRoom(ctx);
  const argvPtrs = readPointers(ctx, addr(argvp), room / 8);
  if (typeof argvPtrs === "number") return argvPtrs;
  const envpPtrs = readPointers(ctx, addr(envpp), room / 8);
  if (typeof envpPtrs === "number") return envpPtrs;
  const pointerBytes = (Math.max(argvPtrs.length, 1) + envpPtrs.length) * 8;
  if (room <= pointerBytes) return -E2BIG;
  let left = room - pointerBytes;
  const take = (len: number): boolean => {
    if (len > MAX_ARG_STRLEN || len > left) return false;
    left -= len;
    return true;
  };
  const copyStrings = (ptrs: number[]): Uint8Array[] | number => {
    const out: Uint8Array[] = [];
    for (const p of ptrs) {
      const s = ctx.task.um.copyinString(p, MAX_ARG_STRLEN);
      if (s === "fault") return -EFAULT;
      if (s === "toolong" || !take(s.length + 1)) return -E2BIG;
      out.push(s);
    }
    return out;
  };
  if (!take(filename.length + 1)) return -E2BIG;
  const envp = copyStrings(envpPtrs);
  if (typeof envp === "number") return envp;
  const argv = copyStrings(argvPtrs);
  if (typeof argv === "number") return argv;
  // An empty argv gets "" as argv[0] (Linux 5.18 on), so that argv[0] is never the first environment string.
  if (argv.length === 0) argv.push(new Uint8Array(0));

  // The format handlers: "#!" scripts hand over to their interpreter, up to MAX_REWRITES times; then an ELF.
  let interp = bytesOf(filename);   // bprm->interp: the name the next interpreter is given the script by
  let image: ElfImage | undefined;
  for (let depth = 0; image === undefined; depth++) {
    if (depth > MAX_REWRITES) return -ELOOP;
    const head = headBuffer(prog.node);
    const script = parseInterpreterLine(head);
    if (typeof script === "number") return script;
    if (script === undefined) {
      try {
        image = parseElf(fileRead(prog.node, 0, prog.node.size));   // through the page cache if it is mapped
      } catch (e) {
        if (e instanceof ElfError) return -ENOEXEC;
        throw e;
      }
      break;
    }
    if (pathInaccessible) return -ENOENT;
    // argv becomes: interpreter, its argument if any, the script's name, then argv[1..] (remove_arg_zero).
    const extra = [script.name, ...(script.arg ? [script.arg] : []), interp];
    left += argv[0]!.length + 1;
    for (const s of extra) if (!take(s.length + 1)) return -E2BIG;
    argv.splice(0, 1, ...extra);
    interp = script.name;
    const next = openExec(ctx, AT_FDCWD, latin1.decode(script.name), true);
    if (typeof next === "number") return next;
    prog = next;
    pathInaccessible = false;
  }

  // Without translation (VA = PA) a new image goes exactly where a vfork parent's image and stack still are: no
  // memory for it, as a no-MMU Linux without a relocatable format (binfmt_elf needs an MMU) cannot load it.
  if (ctx.task.pmap.identity && ctx.task.map.refCount > 1) return -ENOMEM;
  const args: ExecArgs = { argv, envp, execfn: bytesOf(filename), randomBytes: ctx.random.bytes(16) };
  execReplace(ctx.task, image, args, prog.path, ctx, ctx.regs);
  return 0;
}

function sysExecve(ctx: SyscallContext, a: readonly bigint[]): number {
  return execveat(ctx, AT_FDCWD, a[0]!, a[1]!, a[2]!, 0);
}

function sysExecveat(ctx: SyscallContext, a: readonly bigint[]): number {
  return execveat(ctx, int(a[0]!), a[1]!, a[2]!, a[3]!, int(a[4]!));
}

// --strace formats the arguments before the call: after a successful exec the old program's strings are gone.
export const EXEC_SYSCALLS: Record<number, SyscallDef> = {
  221: { name: "execve", args: ["s", "x", "x"], argsBefore: true, fn: sysExecve },
  281: { name: "execveat", args: ["f", "s", "x", "x", "x"], argsBefore: true, fn: sysExecveat },
};
