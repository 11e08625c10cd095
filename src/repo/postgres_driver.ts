/**
 * The `postgres` npm driver, as a PostgreSQL catalog loads it: through this
 * module, by a specifier Deno cannot follow ahead of time (as the AWS SDK's
 * `src/store/s3_sdk.ts`). A literal `import("postgres")` put `npm:postgres`
 * in the graph of every `vc repo` command, so on a SQLite catalog too
 * `deno run` resolved the package at start, asking the npm registry for its
 * description (a `Download https://registry.npmjs.org/postgres` line) at
 * every run from a checkout (tests/repo_command_npm_preload_test.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import postgres from "./postgres_driver.ts";
 * assert(typeof postgres === "function");
 * ```
 *
 * @module
 */
export { default } from "postgres";
