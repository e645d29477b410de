import { defineConfig } from "vitest/config";

// Test files mirror the source tree under test/. Guest runs are slow-ish (an interpreter runs them), so the
// default timeout is generous; speed is measured by bench/, never asserted here.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
