// --mount host:guest: exposes host directories read-only in the guest's file system (fs/hostfs.ts).

import { resolve } from "node:path";
import { ConfigError } from "../sys/config_error.js";
import type { FileSystem } from "./memfs.js";

/** Splits "host:guest" at the last ':' (host paths may contain ':'; the guest path must be absolute). */
export function parseMount(spec: string): { host: string; guest: string } {
  const i = spec.lastIndexOf(":");
  const host = i < 0 ? "" : spec.slice(0, i), guest = i < 0 ? "" : spec.slice(i + 1);
  if (host === "" || guest === "") throw new ConfigError(`--mount expects HOSTDIR:GUESTPATH, got '${spec}'`);
  if (!guest.startsWith("/")) throw new ConfigError(`--mount '${spec}': the guest path must be absolute`);
  return { host, guest };
}

/** Mounts every spec in order; a bad one is a ConfigError with one line saying why. */
export function applyMounts(fs: FileSystem, specs: readonly string[]): void {
  for (const spec of specs) {
    const { host, guest } = parseMount(spec);
    try {
      fs.mount(resolve(host), guest);
    } catch (e) {
      throw new ConfigError(`--mount '${spec}': ${(e as Error).message}`);
    }
  }
}
