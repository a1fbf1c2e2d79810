import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", "trust/index": "src/trust/index.ts", "adapters/index": "src/adapters/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
