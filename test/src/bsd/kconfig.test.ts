// /boot/config-<release>: the kernel configuration tools like LTP's tst_kconfig read.

import { describe, expect, it } from "vitest";
import { SysHarness } from "../helpers/syscalls.js";

describe("/boot/config-<release>", () => {
  const h = new SysHarness();
  it("names the options the kernel has and those it lacks, under uname's release", () => {
    expect(h.sys(160, h.out)).toBe(0);
    const release = String.fromCharCode(...h.bytes(h.out + 130, 65)).split("\0")[0];
    const text = h.readFile(`/boot/config-${release}`);
    expect(text).toContain("\nCONFIG_MMU=y\n");
    expect(text).toContain("\n# CONFIG_USERFAULTFD is not set\n");
  });
});
