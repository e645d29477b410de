// `mmulab report <json> [-o page.html]`: one self-contained HTML page (src/report/page.ts) from the JSON document
// of a run, compare, trace study or sweep. Without -o the page is written next to the JSON file (.html).

import { readFileSync, writeFileSync } from "node:fs";
import yargs from "yargs";
import type { GuestIo } from "../fs/file.js";
import { ConfigError } from "../machine/config.js";
import { ReportError, reportHtml } from "../report/page.js";
import { onceOnly } from "./command.js";
import { TraceUsageError } from "./trace.js";

export async function reportMain(argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  let ran = false;
  const a = yargs([...argv])
    .scriptName("mmulab")
    .command("report <json>", "one self-contained HTML page from the JSON of mmulab run, compare, trace or sweep", (y) => y
      .positional("json", { type: "string", describe: "the JSON document (--json of run, compare or trace; sweep.json)" })
      .option("output", { alias: "o", type: "string", describe: "the HTML file to write (default: the JSON file's name with .html)" }),
    () => { ran = true; })
    .check(onceOnly([])).strict().help().version(false).exitProcess(false)
    .fail((msg, err) => { throw new TraceUsageError((msg ?? err?.message ?? "bad command line").replace(/\s*\n\s*/g, " ")); })
    .parseSync() as unknown as { json: string; output?: string };
  if (!ran) return 0;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(a.json, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read '${a.json}' as JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new ConfigError(`'${a.json}' is not a JSON object`);
  let html: string;
  try {
    html = await reportHtml(doc as Record<string, unknown>, a.json);
  } catch (e) {
    if (e instanceof ReportError) throw new ConfigError(`'${a.json}': ${e.message}`);
    throw e;
  }
  const out = a.output ?? a.json.replace(/\.json$/i, "") + ".html";
  try {
    writeFileSync(out, html);
  } catch (e) {
    say(`cannot write '${out}': ${(e as Error).message}`);
    return 1;
  }
  io.write(1, new TextEncoder().encode(`${out}\n`));
  return 0;
}
