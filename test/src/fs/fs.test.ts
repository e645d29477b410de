// The file system's parts on their own: namei, the in-memory nodes and their space budget, the pipe ring, the host
// mount's containment, and the vnode pager's cache coherence.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../../../src/sys/errno.js";
import { FileSystem, MemDir, MemFile, MemLink } from "../../../src/fs/memfs.js";
import { existing, pathOf, walk, type Walked } from "../../../src/fs/namei.js";
import { PIPE_CAPACITY, makePipe } from "../../../src/fs/pipe.js";
import { HostDir } from "../../../src/fs/hostfs.js";
import { VnodePager, fileRead, fileTruncate, fileWrite } from "../../../src/fs/vnode_pager.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function tree(): { fs: FileSystem; a: MemDir; b: MemDir; f: MemFile } {
  const fs = new FileSystem();
  const a = new MemDir(fs, fs.allocIno(), 0o755, fs.root, "a");
  fs.root.link("a", a);
  const b = new MemDir(fs, fs.allocIno(), 0o755, a, "b");
  a.link("b", b);
  const f = new MemFile(fs, fs.allocIno(), 0o644);
  b.link("f", f);
  return { fs, a, b, f };
}

function ok(r: Walked | number): Walked {
  if (typeof r === "number") throw new Error(`walk failed with ${r}`);
  return r;
}

describe("namei", () => {
  it("absolute and relative paths, '.', '..', repeated and trailing slashes", () => {
    const { fs, a, b, f } = tree();
    expect(ok(walk(fs.root, fs.root, "/a/b/f", true)).node).toBe(f);
    expect(ok(walk(fs.root, a, "b/f", true)).node).toBe(f);
    expect(ok(walk(fs.root, b, "../../a/./b//f", true)).node).toBe(f);
    expect(ok(walk(fs.root, b, "/../../..", true)).node).toBe(fs.root);
    expect(ok(walk(fs.root, b, "..", true)).last).toBe("dotdot");
    expect(ok(walk(fs.root, b, ".", true)).last).toBe("dot");
    expect(ok(walk(fs.root, b, "/", true)).last).toBe("root");
    const missing = ok(walk(fs.root, a, "b/new", true));
    expect(missing.node).toBeUndefined();
    expect(missing.parent).toBe(b);
    expect(missing.name).toBe("new");
    expect(ok(walk(fs.root, a, "b/", true)).trailingSlash).toBe(true);
  });

  it("errors: empty, missing component, file as directory, long names, link loops", () => {
    const { fs, b } = tree();
    expect(walk(fs.root, fs.root, "", true)).toBe(-ENOENT);
    expect(walk(fs.root, fs.root, "/x/y", true)).toBe(-ENOENT);
    expect(walk(fs.root, fs.root, "/a/b/f/g", true)).toBe(-ENOTDIR);
    expect(existing(ok(walk(fs.root, fs.root, "/a/b/f/", true)))).toBe(-ENOTDIR);   // the caller decides
    expect(existing(ok(walk(fs.root, fs.root, "/a/b/", true)))).toBe(ok(walk(fs.root, fs.root, "/a/b", true)).node);
    expect(existing(ok(walk(fs.root, fs.root, "/a/nope", true)))).toBe(-ENOENT);
    expect(walk(fs.root, fs.root, "/" + "n".repeat(256), true)).toBe(-ENAMETOOLONG);
    expect(ok(walk(fs.root, fs.root, "/" + "n".repeat(255), true)).node).toBeUndefined();
    b.link("self", new MemLink(fs, fs.allocIno(), "self"));
    expect(walk(fs.root, b, "self", true)).toBe(-ELOOP);
    expect(ok(walk(fs.root, b, "self", false)).node?.type).toBe("lnk");
    expect(walk(fs.root, b, "self/x", false)).toBe(-ELOOP);
  });

  it("links resolve relative to their directory and absolute ones from the root; 40 links at most", () => {
    const { fs, a, b, f } = tree();
    a.link("tof", new MemLink(fs, fs.allocIno(), "b/f"));
    b.link("up", new MemLink(fs, fs.allocIno(), "../.."));
    b.link("abs", new MemLink(fs, fs.allocIno(), "/a/b"));
    expect(ok(walk(fs.root, fs.root, "/a/tof", true)).node).toBe(f);
    expect(ok(walk(fs.root, fs.root, "/a/b/up/a/b/f", true)).node).toBe(f);
    expect(ok(walk(fs.root, fs.root, "/a/b/abs/abs/abs/f", true)).node).toBe(f);
    let chain = "f";
    for (let i = 0; i < 40; i++) { b.link(`l${i}`, new MemLink(fs, fs.allocIno(), chain)); chain = `l${i}`; }
    expect(ok(walk(fs.root, b, "l39", true)).node).toBe(f);            // exactly 40
    b.link("l40", new MemLink(fs, fs.allocIno(), "l39"));
    expect(walk(fs.root, b, "l40", true)).toBe(-ELOOP);                 // 41
  });

  it("pathOf walks up the parents; a removed directory has no path", () => {
    const { fs, a, b } = tree();
    expect(pathOf(b)).toBe("/a/b");
    expect(pathOf(fs.root)).toBe("/");
    a.unlink("b");
    b.markRemoved();
    expect(pathOf(b)).toBeUndefined();
    expect(b.lookup("f")).toBeUndefined();
  });
});

describe("memfs", () => {
  it("sparse files: holes cost nothing and read as zero; truncation frees pages and zeroes the tail", () => {
    const fs = new FileSystem(64 * 1024);
    const f = new MemFile(fs, fs.allocIno(), 0o644);
    expect(f.write(100_000, enc("end"))).toBe(true);
    expect(f.size).toBe(100_003);
    expect(fs.usedBytes).toBe(4096);
    expect(f.blocks).toBe(8);
    expect(Array.from(f.read(50_000, 4))).toEqual([0, 0, 0, 0]);
    expect(f.write(0, new Uint8Array(5000).fill(7))).toBe(true);
    expect(fs.usedBytes).toBe(3 * 4096);
    f.truncate(4097);
    expect(fs.usedBytes).toBe(2 * 4096);
    f.truncate(8192);
    expect(Array.from(f.read(4096, 3))).toEqual([7, 0, 0]);
  });

  it("the space budget gives ENOSPC (write returns false) without changing the file", () => {
    const fs = new FileSystem(8192);
    const f = new MemFile(fs, fs.allocIno(), 0o644);
    expect(f.write(0, new Uint8Array(8192))).toBe(true);
    expect(f.write(8192, new Uint8Array(1))).toBe(false);
    expect(f.size).toBe(8192);
    expect(f.write(100, new Uint8Array(10).fill(1))).toBe(true);      // overwriting needs no new space
  });

  it("an unlinked file keeps its storage while held, and frees it after", () => {
    const fs = new FileSystem();
    const f = new MemFile(fs, fs.allocIno(), 0o644);
    fs.root.link("f", f);
    f.write(0, new Uint8Array(10_000));
    f.hold(1);
    fs.root.unlink("f");
    f.nlink--;
    f.destroyIfUnused();
    expect(fs.usedBytes).toBe(3 * 4096);
    expect(f.read(0, 1).length).toBe(1);
    f.hold(-1);
    expect(fs.usedBytes).toBe(0);
  });

  it("directory cookies keep increasing, so an offset survives removals", () => {
    const fs = new FileSystem();
    const d = new MemDir(fs, fs.allocIno(), 0o755, fs.root, "d");
    for (const n of ["x", "y", "z"]) d.link(n, new MemFile(fs, fs.allocIno(), 0o644));
    const before = d.list().map((e) => e.cookie);
    d.unlink("y");
    d.link("y", new MemFile(fs, fs.allocIno(), 0o644));
    const after = d.list();
    expect(after.map((e) => e.name)).toEqual(["x", "z", "y"]);
    expect(after[2]!.cookie).toBeGreaterThan(Math.max(...before));
    expect(d.nlink).toBe(2);
    d.link("sub", new MemDir(fs, fs.allocIno(), 0o755, d, "sub"));
    expect(d.nlink).toBe(3);
  });
});

describe("pipes", () => {
  it("the ring wraps around and keeps byte order", () => {
    const [r, w] = makePipe(1, 0);
    const chunk = new Uint8Array(4000);
    let wrote = 0, read = 0, wrong = 0;
    const take = (max: number): void => {
      const got = r.read(max) as Uint8Array;
      got.forEach((b, i) => { if (b !== ((read + i) & 0xFF)) wrong++; });
      r.consume(got.length);
      read += got.length;
    };
    for (let round = 0; round < 100; round++) {
      chunk.forEach((_, i) => { chunk[i] = (wrote + i) & 0xFF; });
      if (!w.pipe.canTake(chunk.length)) take(PIPE_CAPACITY);
      expect(w.write(chunk.subarray(0, 1000 + (round * 37) % 3000))).toBe(1000 + (round * 37) % 3000);
      wrote += 1000 + (round * 37) % 3000;
      take(1500);
    }
    take(PIPE_CAPACITY);
    expect(read).toBe(wrote);
    expect(wrong).toBe(0);
  });

  it("capacity is 16 page buffers, as Linux counts it: small writes merge, odd-sized ones waste the rest", () => {
    const [r, w] = makePipe(1, 0o4000);   // O_NONBLOCK
    for (let i = 0; i < 16; i++) expect(w.write(new Uint8Array(3000))).toBe(3000);
    expect(w.write(new Uint8Array(3000))).toBe(-11);                   // 48000 bytes and full
    expect(w.write(new Uint8Array(1096))).toBe(1096);                  // merges into the last buffer
    expect(w.write(new Uint8Array(1))).toBe(-11);
    expect(r.pipe.length).toBe(49096);
    r.consume((r.read(3000) as Uint8Array).length);                     // frees one buffer
    expect(w.write(new Uint8Array(10000))).toBe(4096);                // one free page; the 1808-byte remainder cannot merge
    const [r2, w2] = makePipe(2, 0o4000);
    for (let i = 0; i < 4096; i++) expect(w2.write(new Uint8Array(1))).toBe(1);
    expect(w2.pipe.length).toBe(4096);
    expect(w2.write(new Uint8Array(60 * 1024 + 1))).toBe(60 * 1024);   // 15 fresh pages; 1 byte cannot merge into a full page
    expect(w2.write(new Uint8Array(1))).toBe(-11);
    expect((r2.read(100_000) as Uint8Array).length).toBe(64 * 1024);
  });

  it("O_DIRECT pipes are packet pipes: no merging, one packet per read, the rest of it dropped", () => {
    const [r, w] = makePipe(1, 0o40000 | 0o4000);
    expect(w.write(new Uint8Array([1, 2, 3]))).toBe(3);
    expect(w.write(new Uint8Array([4, 5]))).toBe(2);
    const first = r.read(2) as Uint8Array;
    expect(Array.from(first)).toEqual([1, 2]);
    r.consume(2);
    expect(Array.from(r.read(10) as Uint8Array)).toEqual([4, 5]);
  });

  it("reader and writer counts decide EOF, EPIPE and blocking", () => {
    const [r, w] = makePipe(1, 0);
    expect(r.read(1)).toBe("block");
    w.release();
    expect((r.read(1) as Uint8Array).length).toBe(0);
    const [r2, w2] = makePipe(2, 0);
    r2.release();
    expect(w2.write(enc("x"))).toBe(-32);
  });
});

describe("host mounts", () => {
  let host: string;
  beforeEach(() => {
    host = mkdtempSync(join(tmpdir(), "mmulab-hostfs-"));
    mkdirSync(join(host, "in"));
    writeFileSync(join(host, "in", "a"), "inside");
    writeFileSync(join(host, "out"), "outside");
    symlinkSync("../out", join(host, "in", "escape"));
  });
  afterEach(() => rmSync(host, { recursive: true, force: true }));

  it("a lookup never leaves the host directory: '.', '..', names with '/' or NUL find nothing", () => {
    const fs = new FileSystem();
    const m = HostDir.mountRoot(fs, join(host, "in"), fs.root, "m");
    for (const bad of ["..", ".", "../out", "a/..", "x\0", ""]) expect(m.lookup(bad)).toBeUndefined();
    expect(m.lookup("a")?.type).toBe("reg");
    const link = m.lookup("escape");
    expect(link?.type).toBe("lnk");
    expect(link?.type === "lnk" && link.target).toBe("../out");       // resolved by the guest's namei, not the host
    expect(m.parent).toBe(fs.root);
    expect(m.lookup("a")).toBe(m.lookup("a"));                          // stable vnodes and inode numbers
  });

  it("files are read lazily: host changes show up; removed files vanish", () => {
    const fs = new FileSystem();
    const m = HostDir.mountRoot(fs, join(host, "in"), fs.root, "m");
    const a = m.lookup("a");
    if (a?.type !== "reg") throw new Error("not a file");
    expect(dec(a.read(0, a.size))).toBe("inside");
    writeFileSync(join(host, "in", "a"), "changed on the host");
    expect(a.size).toBe(19);
    expect(dec(a.read(8, 2))).toBe("on");
    rmSync(join(host, "in", "a"));
    expect(m.lookup("a")).toBeUndefined();
    expect(m.list().map((e) => e.name)).toEqual(["escape"]);
  });
});

describe("vnode pager", () => {
  function vmFor(): { vm: VmSystem; fs: FileSystem } {
    const ram = new Uint8Array(1 << 20);
    const mem = {
      fillPhys: (pa: number, len: number, v = 0) => { ram.fill(v, pa, pa + len); },
      phys: (pa: number, len: number) => ram.subarray(pa, pa + len),
    };
    return { vm: new VmSystem(new PhysAllocator(mem, ram.length), false), fs: new FileSystem() };
  }

  it("one object per file while mapped; data_request reads the file; data_error beyond EOF", () => {
    const { vm, fs } = vmFor();
    const f = new MemFile(fs, fs.allocIno(), 0o644);
    f.write(0, enc("page zero"));
    const o1 = VnodePager.objectFor(vm, f, fs.pagerStats);
    const o2 = VnodePager.objectFor(vm, f, fs.pagerStats);
    expect(o2).toBe(o1);
    expect(o1.refCount).toBe(2);
    // The answers come at once, on the kernel's side of the contract: data_provided fills the busy page.
    const page = vm.pageAlloc(o1, 0, 0);
    page.busy = true;
    o1.pager!.dataRequest(o1, vm, 0, 4096, 1);
    expect(page.busy).toBe(false);
    const dst = vm.phys.view(page.pa);
    expect(dec(dst.subarray(0, 9))).toBe("page zero");
    expect(dst[9]).toBe(0);
    const beyond = vm.pageAlloc(o1, 4096, 0);
    beyond.busy = true;
    o1.pager!.dataRequest(o1, vm, 4096, 4096, 1);                      // data_error: the fault gets SIGBUS
    expect(beyond.error).toBe(true);
    expect(fs.pagerStats).toEqual({ pagesRead: 1, pagesWritten: 0, beyondEof: 1 });
  });

  it("resident pages are the page cache: reads see them, writes update them, terminate writes them back", () => {
    const { vm, fs } = vmFor();
    const f = new MemFile(fs, fs.allocIno(), 0o644);
    f.write(0, new Uint8Array(6000).fill(0x61));
    const obj = VnodePager.objectFor(vm, f, fs.pagerStats);
    const page = vm.pageAlloc(obj, 0, 0);
    page.busy = true;
    obj.pager!.dataRequest(obj, vm, 0, 4096, 1);
    vm.phys.view(page.pa).set(enc("mapped store"), 100);              // as a store through a mapping would
    expect(dec(fileRead(f, 100, 12))).toBe("mapped store");
    expect(dec(f.read(100, 12))).toBe("aaaaaaaaaaaa");                 // not yet in the file's own storage
    expect(fileWrite(f, 104, enc("WRIT"))).toBe(true);
    expect(dec(vm.phys.view(page.pa).subarray(100, 112))).toBe("mappWRITtore");
    fileTruncate(f, 110);
    expect(Array.from(vm.phys.view(page.pa).subarray(109, 112))).toEqual([0x6f, 0, 0]);
    vm.objectDeallocate(obj);                                          // the last mapping: data_return, terminate
    expect(f.cache).toBeNull();
    expect(dec(f.read(100, 10))).toBe("mappWRITto");
    expect(fs.pagerStats.pagesWritten).toBe(1);
    expect(vm.phys.userFrames).toBe(0);
  });
});
