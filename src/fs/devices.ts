// /dev (Linux devtmpfs with the memory devices of drivers/char/mem.c and random.c): null, zero, full, random and
// urandom as character devices, /dev/shm as a tmpfs directory anyone may write, and /dev/fd, stdin, stdout and
// stderr as links into /proc/self/fd. The random devices read the machine's seeded generator, so a run is
// repeatable. One read of a device returns at most DEVICE_READ_MAX bytes (Linux fills the whole buffer; a short
// read is allowed for devices and keeps a hostile count from taking host memory).

import { ENOSPC } from "../sys/errno.js";
import { type ReadResult, type WriteResult, VnodeFile } from "./file.js";
import { type FileSystem, MemDir, MemLink, MEMFS_DEV } from "./memfs.js";
import type { DeviceNode, Times } from "./vnode.js";

export const DEVICE_READ_MAX = 1 << 24;

/** What a memory device does with a read of n bytes and with a write. */
interface Device {
  read(n: number): Uint8Array;
  write(data: Uint8Array): WriteResult;
}

/** An open memory device: reads and writes go to the device; the offset stays 0 (null_lseek and friends). */
export class DeviceFile extends VnodeFile {
  constructor(node: DeviceNode, flags: number, private readonly device: Device) { super(node, flags); }
  override read(max: number): ReadResult { return this.device.read(Math.min(max, DEVICE_READ_MAX)); }
  override consume(): void { /* nothing is queued */ }
  override write(data: Uint8Array): WriteResult { return this.device.write(data); }
}

class MemDevice implements DeviceNode {
  readonly type = "chr";
  readonly readOnly = false;
  readonly dev = MEMFS_DEV;
  nlink = 1;
  uid = 0;
  gid = 0;
  readonly times: Times;
  constructor(fs: FileSystem, readonly ino: number, public mode: number, readonly rdev: number,
              readonly mapsAnonymous: boolean, private readonly device: Device) {
    this.times = fs.times();
  }
  open(flags: number): DeviceFile { return new DeviceFile(this, flags, this.device); }
}

/** st_rdev of a device with a small major and minor (new_encode_dev). */
function mkdev(major: number, minor: number): number { return (major << 8) | minor; }

const accept = (data: Uint8Array): WriteResult => data.length;

/** Makes /dev in fs; `randomBytes` is the machine's seeded generator. */
export function makeDev(fs: FileSystem, randomBytes: (n: number) => Uint8Array): void {
  const root = fs.root;
  const dev = new MemDir(fs, fs.allocIno(), 0o755, root, "dev");
  root.link("dev", dev);
  const add = (name: string, minor: number, d: Device, anon = false): void =>
    dev.link(name, new MemDevice(fs, fs.allocIno(), 0o666, mkdev(1, minor), anon, d));
  add("null", 3, { read: () => new Uint8Array(0), write: accept });
  add("zero", 5, { read: (n) => new Uint8Array(n), write: accept }, true);
  add("full", 7, { read: (n) => new Uint8Array(n), write: () => -ENOSPC });
  add("random", 8, { read: randomBytes, write: accept });
  add("urandom", 9, { read: randomBytes, write: accept });
  dev.link("shm", new MemDir(fs, fs.allocIno(), 0o1777, dev, "shm"));
  dev.link("fd", new MemLink(fs, fs.allocIno(), "/proc/self/fd"));
  ["stdin", "stdout", "stderr"].forEach((name, fd) => dev.link(name, new MemLink(fs, fs.allocIno(), `/proc/self/fd/${fd}`)));
}
