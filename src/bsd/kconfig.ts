// The kernel's configuration as a file, /boot/config-<release> (where Debian keeps it and LTP's tst_kconfig and
// other tools look for it): the Linux options whose features this kernel provides, and "is not set" for those it
// lacks that programs commonly test for. Without such a file tools cannot tell a missing feature from an
// unreadable configuration (LTP stops with TBROK instead of skipping).

import { MemDir, MemFile, type FileSystem } from "../fs/memfs.js";
import { UTSNAME } from "./sys_proc.js";

const PROVIDED = ["64BIT", "MMU", "PROC_FS", "PROC_PAGE_MONITOR", "TMPFS", "SHMEM", "DEVTMPFS"];
const ABSENT = ["PID_NS", "USER_NS", "NET", "USERFAULTFD", "MEMORY_FAILURE", "HWPOISON_INJECT", "TMPFS_XATTR",
  "SYSVIPC", "SWAP", "HUGETLBFS", "UBSAN_SIGNED_OVERFLOW", "KSM", "CGROUPS"];

export function kernelConfig(): string {
  return `# mmulab ${UTSNAME[2]} kernel configuration\n` + PROVIDED.map((o) => `CONFIG_${o}=y\n`).join("") +
    ABSENT.map((o) => `# CONFIG_${o} is not set\n`).join("");
}

/** Makes /boot/config-<release> in fs (owned by root, mode 0644). */
export function makeBootConfig(fs: FileSystem): void {
  const boot = new MemDir(fs, fs.allocIno(), 0o755, fs.root, "boot");
  fs.root.link("boot", boot);
  const file = new MemFile(fs, fs.allocIno(), 0o644);
  file.write(0, Uint8Array.from(kernelConfig(), (c) => c.charCodeAt(0)));
  boot.link(`config-${UTSNAME[2]}`, file);
}
