// A long-lived child that runs fuzz inputs one after another in-process (the CLI's runCli with a capturing
// GuestIo), so that each input does not pay Node's start-up. The parent (pool.js) kills and replaces it when an
// input overruns its budget or its memory, and confirms every failure in a fresh process of its own (runner.js).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../dist/cli/main.js";
import { HeadTail } from "./runner.js";

const home = process.cwd();

process.on("message", async (msg) => {
  const dir = mkdtempSync(join(tmpdir(), "mmulab-fuzz-"));
  for (const [name, data] of Object.entries(msg.files)) writeFileSync(join(dir, name), Buffer.from(data, "base64"));
  const stderr = new HeadTail();
  const dec = new TextDecoder("latin1");
  const io = {
    read: () => new Uint8Array(0),
    write: (fd, data) => { if (fd === 2) stderr.add(dec.decode(data)); },
  };
  process.chdir(dir);
  let status;
  try {
    status = await runCli(msg.argv, io);
  } finally {
    process.chdir(home);
  }
  let json;
  try { json = JSON.parse(readFileSync(join(dir, msg.jsonName), "utf8")); } catch { json = undefined; }
  rmSync(dir, { recursive: true, force: true });
  process.send({ id: msg.id, status, stderr: stderr.text(), json });
});
process.send({ ready: true });
