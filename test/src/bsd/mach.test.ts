// The Mach VM calls (guest/include/mach.h) through the mach_vm guest. qemu-user has no such calls, so each mode
// is checked against the behaviour the OSF Mach manual pages give (mach_vm.md §1), and the counters prove that
// vm_copy is a virtual copy.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runGuest } from "../../../src/index.js";

const path = new URL("../../../guest/bin/mach_vm", import.meta.url).pathname;
const elf = readFileSync(path);
const run = (args: string[], o: Record<string, unknown> = {}) => runGuest({ path, elf, args, ...o });

describe("Mach VM calls", () => {
  it.each(["riscv-sv39", "x86-64"])("allocate, region, protect (current and maximum), read, write, deallocate and their error codes (%s)", (arch) => {
    const r = run(["basic"], { arch });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe([
      "task_self is getpid: yes",
      "vm_allocate 16 pages anywhere: KERN_SUCCESS",
      "page aligned: yes, zero: yes",
      "region +0 pages, 16 pages: prot 3 max 7 inherit 1",
      "vm_allocate at the same address: KERN_NO_SPACE",
      "vm_protect read-only: KERN_SUCCESS",
      "region +0 pages, 4 pages: prot 1 max 7 inherit 1",
      "vm_protect max read-only: KERN_SUCCESS",
      "vm_protect write above max: KERN_PROTECTION_FAILURE",
      "vm_protect raise max: KERN_PROTECTION_FAILURE",
      "region +0 pages, 4 pages: prot 1 max 1 inherit 1",
      "vm_read: KERN_SUCCESS",
      "read back: \"hello, mach\", 8192 bytes, a different address: yes",
      "original after writing the copy: \"hello, mach\"",
      "vm_write into the read-only range: KERN_PROTECTION_FAILURE",
      "vm_write: KERN_SUCCESS",
      "written: \"changed copy\"",
      "vm_write unaligned: KERN_SUCCESS",
      "written: \"chachangcopy\"",
      "vm_deallocate: KERN_SUCCESS",
      "vm_protect over the hole: KERN_INVALID_ADDRESS",
      "vm_copy into the hole: KERN_INVALID_ADDRESS",
      "vm_inherit bad value: KERN_INVALID_ARGUMENT",
      "vm_protect bad protection: KERN_INVALID_ARGUMENT",
      "bad task: KERN_INVALID_ARGUMENT",
      "vm_allocate 2^60 bytes: KERN_NO_SPACE",
      "vm_allocate outside the address space: KERN_INVALID_ADDRESS",
      "vm_deallocate everything: KERN_SUCCESS",
      "vm_region past the last region: KERN_INVALID_ADDRESS",
      "",
    ].join("\n"));
    expect(r.counters["copied_bytes"]).toBe(5);   // only the unaligned vm_write moved bytes
  });

  it("VM_INHERIT_SHARE, COPY and NONE across fork", () => {
    const r = run(["inherit"]);
    expect(r.stdout).toBe([
      "vm_inherit share: KERN_SUCCESS",
      "vm_inherit none: KERN_SUCCESS",
      "child: the none region is absent: yes",
      "child: share \"parent\" copy \"parent\"",
      "parent: share \"child\" copy \"parent\" none \"parent\"",
      "region -1 pages, 4 pages: prot 3 max 7 inherit 0",   // the child's vm_protect stayed in the child
      "child: touching the none region...",
      "parent: that child was killed by signal 11",
      "",
    ].join("\n"));
  });

  it("vm_copy of 64 MiB costs page references, not bytes: only written pages are copied", () => {
    const r = run(["copy", "64"]);
    expect(r.stdout).toBe("vm_copy 64 MiB: KERN_SUCCESS\ncopy equals source: yes\n" +
      "after 10 writes to the copy and 1 to the source: copy[0] 1 source[0] 0 copy[512] 1359071109632\n");
    const c = r.counters;
    expect(c["virtual_copy_pages"]).toBe(16384);   // every source page referenced by the copy
    expect(c["copied_bytes"]).toBe(0);
    expect(c["cow_copies"]).toBe(11);              // 10 writes to the copy, 1 to the source
    // Frames: the source's 16384 pages, the 11 copies, and a handful for libc, stack and data.
    expect(c["user_frames_peak"]).toBeLessThan(16384 + 11 + 100);
  });
});
