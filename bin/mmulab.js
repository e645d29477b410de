#!/usr/bin/env node
// Launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
import { runCli } from "../dist/cli/main.js";

process.exitCode = await runCli();
