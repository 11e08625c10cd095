/**
 * The full command line as the release build bundles it (`deno bundle
 * --code-splitting`, `scripts/compile.ts`): `src/cli/main.ts`, after
 * registering a loader for every module the source imports by a computed
 * specifier (the commands, the AWS SDK's and the PostgreSQL driver's
 * modules, settings), each a literal `import()` that becomes a chunk of its
 * own, and where the worker modules are. Their paths are relative to this
 * file, which sits as deep below the project root as its bundle does
 * (`<root>/<build dir>/full/main.js`).
 *
 * @module
 */
import { registerBundledModules } from "../../src/bundled_modules.ts";

export * from "../../src/cli/main.ts";

registerBundledModules({
  // src/cli/command_table.ts, COMMAND_MODULES
  "src/cli/versioned_commands.ts": () => import("../../src/cli/versioned_commands.ts"),
  "src/cli/cache_commands.ts": () => import("../../src/cli/cache_commands.ts"),
  "src/cli/repo_commands.ts": () => import("../../src/cli/repo_commands.ts"),
  "src/cli/repo_admin_commands.ts": () => import("../../src/cli/repo_admin_commands.ts"),
  "src/cli/serve_commands.ts": () => import("../../src/cli/serve_commands.ts"),
  "src/cli/cache_client_commands.ts": () => import("../../src/cli/cache_client_commands.ts"),
  "src/cli/lock_command.ts": () => import("../../src/cli/lock_command.ts"),
  "src/cli/config_command.ts": () => import("../../src/cli/config_command.ts"),
  "src/cli/prefill_command.ts": () => import("../../src/cli/prefill_command.ts"),
  "src/cli/mirror_command.ts": () => import("../../src/cli/mirror_command.ts"),
  "src/cli/merge_driver_command.ts": () => import("../../src/cli/merge_driver_command.ts"),
  // Imported by computed specifiers elsewhere in src/ (the S3 store, the PostgreSQL catalog, vc mirror)
  "src/store/s3_sdk.ts": () => import("../../src/store/s3_sdk.ts"),
  "src/repo/postgres_driver.ts": () => import("../../src/repo/postgres_driver.ts"),
  "src/cli/settings.ts": () => import("../../src/cli/settings.ts"),
}, {
  // scripts/compile.ts, WORKER_MODULES (embedded with --include, run from source)
  "src/store/download_hash_worker.ts": new URL(
    "../../src/store/download_hash_worker.ts",
    import.meta.url,
  ),
  "src/mirror/walk_worker.ts": new URL("../../src/mirror/walk_worker.ts", import.meta.url),
  "src/mirror/watch_worker.ts": new URL("../../src/mirror/watch_worker.ts", import.meta.url),
});
