/**
 * The permissions `vc` runs with, in one place: the release build
 * (`scripts/compile.ts`), the `deno task vc` / `deno task prefill` /
 * `deno task install` tasks (a test checks deno.json against this file) and the end-to-end tests, which
 * run the CLI with exactly these flags so a missing permission fails a test.
 *
 * Least privilege, and why each one is as wide as it is:
 *
 * - `--allow-net`: the store is any S3 endpoint the user configures
 *   (`AWS_ENDPOINT_URL`, regional AWS hosts, the EC2/ECS credential endpoints),
 *   so no host list can be known in advance.
 * - `--allow-read`, `--allow-write`: unscoped because every location is the
 *   user's choice at run time: the cache directory (flag, env, config file or
 *   platform default), the manifest, the files being published, `vc get` /
 *   `vc sync` destinations, `file://` buckets, and `~/.aws/{config,credentials}`.
 *   A compiled binary's permissions are fixed at build time, so they cannot be
 *   scoped to paths that are only known when it runs.
 * - `--allow-env`: only the variables vc and the AWS SDK read (below).
 * - `--allow-sys`: unscoped. vc itself uses `osRelease` (the AWS SDK's
 *   user-agent header), `homedir` / `uid` (the SDK's fallback to find `~/.aws`
 *   when HOME, USERPROFILE and HOMEPATH are all unset), `hostname` (cache
 *   and store locks record the host, so a lock left by a crashed vc on this
 *   machine is recognised at once instead of after it goes stale) and
 *   `loadavg` (a mirror starts its walk thread only with a core to spare;
 *   `/proc/loadavg` is closed to it, as all of `/proc` short of
 *   `--allow-all`); but every https request of the AWS SDK (its copies,
 *   deletes and multipart uploads, and the STS / SSO calls of its credential
 *   chain) goes through
 *   `node:https`, whose TLS setup in Deno asks for sys access to `"ca"` (the
 *   CA store), a name no `--allow-sys=` list accepts. With a list, a binary
 *   user's multipart upload to AWS failed with "Requires sys access to "ca",
 *   run again with the --allow-sys flag".
 * - `--no-prompt`: a missing permission is an error, never an interactive prompt.
 *
 * No `--allow-run`, `--allow-ffi` or `--allow-import`. So a profile's
 * `credential_process` cannot run: the S3 store's credential error says so
 * (`credentialProcessHint` in `src/store/s3_config.ts`).
 *
 * @module
 */

/**
 * Environment variables vc may read. Found by running the CLI and the AWS SDK
 * with `DENO_AUDIT_PERMISSIONS` and reading every `env` access.
 *
 * - `VC_*`: vc's own settings (VC_BUCKET, VC_MANIFEST, VC_CACHE_DIR,
 *   VC_CACHE_TIMEOUT, VC_IMMUTABLE_BUCKETS, VC_OFFLINE, VC_CONFIG, VC_S3_PATH_STYLE).
 * - `AWS_*`: the SDK's configuration and credential chain (AWS_PROFILE,
 *   AWS_REGION, AWS_ENDPOINT_URL(_S3), AWS_ACCESS_KEY_ID, AWS_CONFIG_FILE,
 *   AWS_SHARED_CREDENTIALS_FILE, AWS_CONTAINER_*, AWS_WEB_IDENTITY_TOKEN_FILE,
 *   AWS_ROLE_ARN, AWS_EC2_METADATA_*, AWS_MAX_ATTEMPTS, ...).
 * - `_X_AMZN_TRACE_ID`: read by the SDK's recursion-detection middleware.
 * - `HOME`, `USERPROFILE`, `HOMEPATH`, `HOMEDRIVE`: home directory, for the
 *   default cache and config directories and for `~/.aws`.
 * - `XDG_CACHE_HOME`, `XDG_CONFIG_HOME`, `LOCALAPPDATA`, `APPDATA`: platform
 *   cache and config directories.
 * - `NO_COLOR`, `TERM`: whether to colour stderr.
 * - `CI`: a CI job, whose log gets plain progress lines, not a bar's redraws,
 *   also when the runner gives it a terminal.
 * - `HTTP(S)_PROXY`, `ALL_PROXY` (either case): a proxy that applies to a
 *   store keeps its requests (large uploads, the AWS SDK's) on `fetch`, which
 *   honours it (`src/store/node_http_send.ts`, `src/store/sdk_fetch_handler.ts`).
 * - `NO_PROXY` (either case): which hosts bypass it, so a store it names keeps
 *   vc's own transports and an unreachable store's error names the proxy only
 *   when the request went through it (`proxyApplies`, `proxyFor` in
 *   `src/store/http1_client.ts`; `fetch` reads it itself).
 * - `NODE_USE_SYSTEM_CA`, `NODE_EXTRA_CA_CERTS`: read by `node:https` (the AWS
 *   SDK's requests) at every TLS connection (a private CA is trusted by every
 *   request through `AWS_CA_BUNDLE`, `src/store/ca_bundle.ts`).
 * - `DENO_CERT`: trusted by every S3 request beside `AWS_CA_BUNDLE` (`fetch`
 *   reads it itself, `node:https` does not; `caBundleSettings` in
 *   `src/store/ca_bundle.ts`).
 * - `GIT_DIR`: the repository git names to `vc merge-driver` when the work
 *   tree has no `.git` (`git --git-dir=…`), where it reads whether a rebase
 *   is under way (`src/cli/git_rebase_state.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENV_VARS } from "./permissions.ts";
 * assert(ENV_VARS.includes("VC_*") && ENV_VARS.includes("AWS_*"));
 * ```
 */
export const ENV_VARS: readonly string[] = [
  "VC_*",
  "AWS_*",
  "_X_AMZN_TRACE_ID",
  "HOME",
  "USERPROFILE",
  "HOMEPATH",
  "HOMEDRIVE",
  "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME",
  "LOCALAPPDATA",
  "APPDATA",
  "NO_COLOR",
  "TERM",
  "CI",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
  "NODE_USE_SYSTEM_CA",
  "NODE_EXTRA_CA_CERTS",
  "DENO_CERT",
  "GIT_DIR",
  // PostgreSQL catalogs: PGPASSWORD, PGPASSFILE, PGUSER, ... (libpq's variables).
  "PG*",
];

/**
 * `Deno.permissions` sys APIs vc's own code uses (see the module doc for why
 * each). The permission itself is unscoped (`--allow-sys`): `node:https`
 * also needs `"ca"`, which `--allow-sys=` cannot name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SYS_APIS } from "./permissions.ts";
 * assert(SYS_APIS.includes("osRelease"));
 * ```
 */
export const SYS_APIS: readonly string[] = ["osRelease", "homedir", "uid", "hostname", "loadavg"];

/**
 * The permission flags of `deno run` / `deno compile` for vc, ending with `--no-prompt`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PERMISSION_FLAGS } from "./permissions.ts";
 * assert(PERMISSION_FLAGS.includes("--allow-net"));
 * assert(PERMISSION_FLAGS.at(-1) === "--no-prompt");
 * assert(!PERMISSION_FLAGS.some((f) => f === "--allow-all" || f === "-A"));
 * ```
 */
export const PERMISSION_FLAGS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  `--allow-env=${ENV_VARS.join(",")}`,
  "--allow-sys",
  "--no-prompt",
];
