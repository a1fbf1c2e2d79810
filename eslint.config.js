import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "scratch/**", "coverage/**", "bench/.build/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "The core is deterministic: take randomness as an argument." },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/adapters/**", "src/cli/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:fs", "fs", "node:fs/*", "fs/*", "node:net", "node:http", "node:https", "node:child_process", "@kubernetes/client-node"], message: "The core never does I/O: put it in src/adapters." },
            { group: ["**/adapters/**", "**/cli/**"], message: "The core never imports adapters or cli." },
          ],
        },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "The core never reads the clock: take time as an argument." },
      ],
    },
  },
);
