// The kernel's configuration as a file, /boot/config-<release> (where Debian keeps it and LTP's tst_kconfig and
// other tools look for it): the Linux options whose features this kernel provides, and "is not set" for those it
// lacks that programs commonly test for. Without such a file tools cannot tell a missing feature from an
// unreadable configuration (LTP stops with TBROK instead of skipping).

import { MemDir, MEMFS_DEV, type FileSystem } from "../fs/memfs.js";
import type { FileNode, Times } from "../fs/vnode.js";
import { UTSNAME } from "./sys_proc.js";

const PROVIDED = ["64BIT", "MMU", "PROC_FS", "PROC_PAGE_MONITOR", "TMPFS", "SHMEM", "DEVTMPFS"];
const ABSENT = ["PID_NS", "USER_NS", "NET", "USERFAULTFD", "MEMORY_FAILURE", "HWPOISON_INJECT", "TMPFS_XATTR",
  "SYSVIPC", "SWAP", "HUGETLBFS", "UBSAN_SIGNED_OVERFLOW", "KSM", "CGROUPS"];

export function kernelConfig(): string {
  return `# mmulab ${UTSNAME[2]} kernel configuration\n` + PROVIDED.map((o) => `CONFIG_${o}=y\n`).join("") +
    ABSENT.map((o) => `# CONFIG_${o} is not set\n`).join("");
}

/**
 * The file itself: fixed text, root's, read-only (a write open is EROFS where Linux says EACCES) and outside the
 * tmpfs space budget, so a guest's file system starts empty.
 */
class ConfigFile implements FileNode {
  readonly type = "reg";
  readonly readOnly = true;
  readonly dev = MEMFS_DEV;
  readonly nlink = 1;
  readonly cache = null;
  mode = 0o644;
  uid = 0;
  gid = 0;
  readonly times: Times;
  private readonly text = Uint8Array.from(kernelConfig(), (c) => c.charCodeAt(0));
  constructor(readonly ino: number, fs: FileSystem) { this.times = fs.times(); }
  get size(): number { return this.text.length; }
  get blocks(): number { return 8; }
  read(off: number, len: number): Uint8Array { return this.text.slice(off, off + len); }
  write(): boolean { return false; }
  truncate(): void { /* read-only */ }
  hold(): void { /* nothing stored */ }
}

/** Makes /boot/config-<release> in fs. */
export function makeBootConfig(fs: FileSystem): void {
  const boot = new MemDir(fs, fs.allocIno(), 0o755, fs.root, "boot");
  fs.root.link("boot", boot);
  boot.link(`config-${UTSNAME[2]}`, new ConfigFile(fs.allocIno(), fs));
}
