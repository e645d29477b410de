// zstd compression for trace writers, through @bokuweb/zstd-wasm (the reference zstd library built to WebAssembly;
// no native build). Its module is instantiated synchronously (Emscripten's documented `instantiateWasm` hook) the
// first time a frame is compressed, so a writer's close() stays synchronous, as it is for gzip. The package's
// exports name only its entry point, whose init() is asynchronous; its CommonJS files are loaded by path beside it.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

interface ZstdModule {
  instantiateWasm?: (imports: WebAssembly.Imports, receive: (i: WebAssembly.Instance) => void) => WebAssembly.Exports;
  init(): void;
}

let compressFrame: ((data: Uint8Array, level: number) => Uint8Array) | undefined;

/** The zstd level written: zstd's own default (3), fast enough to keep up with a recording. */
export const ZSTD_LEVEL = 3;

/** `data` as one zstd frame (RFC 8878). */
export function zstdFrame(data: Uint8Array, level = ZSTD_LEVEL): Uint8Array {
  if (!compressFrame) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("@bokuweb/zstd-wasm"));
    const { Module } = require(join(dir, "module.js")) as { Module: ZstdModule };
    const wasm = new WebAssembly.Module(readFileSync(join(dir, "zstd.wasm")));
    Module.instantiateWasm = (imports, receive) => {
      const instance = new WebAssembly.Instance(wasm, imports);
      receive(instance);
      return instance.exports;
    };
    Module.init();
    compressFrame = (require(join(dir, "simple", "compress.js")) as { compress: typeof compressFrame }).compress;
  }
  return compressFrame!(data, level);
}
