/**
 * Whether this process holds a permission, asked without a prompt: for what
 * vc reads only when it may (an optional setting, a look that makes a
 * message or a lock better), never asking a terminal for it.
 *
 * @module
 */

/**
 * Whether `--allow-env` covers `name`, asked without prompting: vc reads a
 * variable only when it does, and takes any other for unset, as under
 * `--no-prompt`. A script run on a terminal with `--allow-env=AWS_REGION,...`
 * was asked about some 30 variables it never meant to set (`VC_CONFIG`,
 * `VC_LOCK_WAIT`, `HOME`, `ALL_PROXY`, ...) by its first `cache()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envGranted } from "./permission_granted.ts";
 * assert.equal(typeof envGranted("VC_CACHE_DIR"), "boolean");
 * ```
 */
export function envGranted(name: string): boolean {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
}

/**
 * Whether `--allow-read` covers `path`, asked without prompting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readGranted } from "./permission_granted.ts";
 * assert.equal(typeof readGranted("/proc/self/ns/pid"), "boolean");
 * ```
 */
export function readGranted(path: string): boolean {
  return Deno.permissions.querySync({ name: "read", path }).state === "granted";
}

/**
 * Whether `--allow-sys` covers `kind` (`hostname`, `uid`, ...), asked without
 * prompting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sysGranted } from "./permission_granted.ts";
 * assert.equal(typeof sysGranted("hostname"), "boolean");
 * ```
 */
export function sysGranted(kind: NonNullable<Deno.SysPermissionDescriptor["kind"]>): boolean {
  return Deno.permissions.querySync({ name: "sys", kind }).state === "granted";
}
