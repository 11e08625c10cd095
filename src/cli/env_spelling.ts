/**
 * Mistyped vc variables (`VC_CACHEDIR`, `VC_BUCKETS`, `VC_TIMEOUT`): vc
 * ignored them without a word, so the setting meant fell back to its
 * default. The environment cannot be listed under the binary's
 * `--allow-env=VC_*,…` (`Deno.env.toObject()` needs access to every
 * variable), so the likely misspellings of each known name are asked for by
 * name: an underscore dropped, a plural `S` added or dropped, a letter left
 * out, doubled or swapped, and the names a flag, a settings key or another
 * tool suggests.
 *
 * @module
 */

/** Every `VC_*` variable vc reads (the README names each). */
export const VC_VARIABLES: readonly string[] = Object.freeze([
  "VC_BUCKET",
  "VC_CACHE_DIR",
  "VC_CACHE_TIMEOUT",
  "VC_CACHE_TOKEN",
  "VC_CACHE_URL",
  "VC_CONCURRENCY",
  "VC_CONFIG",
  "VC_FROZEN",
  "VC_IMMUTABLE_BUCKETS",
  "VC_LOCK",
  "VC_LOCK_WAIT",
  "VC_MANIFEST",
  "VC_OFFLINE",
  "VC_ON_UNREACHABLE",
  "VC_PARALLEL_THRESHOLD",
  "VC_RANGE_SIZE",
  "VC_REPO",
  "VC_REPO_CATALOG",
  "VC_REQUEST_TIMEOUT",
  "VC_REVALIDATE_TIMEOUT",
  "VC_S3_ANONYMOUS",
  "VC_S3_PATH_STYLE",
  "VC_S3_REQUEST_PAYER",
  "VC_SERVE_STORE",
  "VC_SERVE_TOKEN_FILE",
]);

// Names another word for the setting suggests: its flag (`--timeout`,
// `--no-sign-request`), its library option (`partSize`), the AWS SDK's
// (`forcePathStyle`), or a common longer form.
const OTHER_NAMES: Readonly<Record<string, string>> = {
  VC_TIMEOUT: "VC_CACHE_TIMEOUT",
  VC_CACHE_TTL: "VC_CACHE_TIMEOUT",
  VC_TTL: "VC_CACHE_TIMEOUT",
  VC_PART_SIZE: "VC_RANGE_SIZE",
  VC_NO_SIGN_REQUEST: "VC_S3_ANONYMOUS",
  VC_S3_NO_SIGN_REQUEST: "VC_S3_ANONYMOUS",
  VC_ANONYMOUS: "VC_S3_ANONYMOUS",
  VC_FORCE_PATH_STYLE: "VC_S3_PATH_STYLE",
  VC_S3_FORCE_PATH_STYLE: "VC_S3_PATH_STYLE",
  VC_PATH_STYLE: "VC_S3_PATH_STYLE",
  VC_REQUEST_PAYER: "VC_S3_REQUEST_PAYER",
  VC_S3_REQUESTER_PAYS: "VC_S3_REQUEST_PAYER",
  VC_REQUESTER_PAYS: "VC_S3_REQUEST_PAYER",
  VC_CACHE_DIRECTORY: "VC_CACHE_DIR",
  VC_CACHE_PATH: "VC_CACHE_DIR",
  VC_DIR: "VC_CACHE_DIR",
  VC_CONFIG_FILE: "VC_CONFIG",
  VC_CONFIG_PATH: "VC_CONFIG",
  VC_MANIFEST_FILE: "VC_MANIFEST",
  VC_MANIFEST_PATH: "VC_MANIFEST",
  VC_LOCK_FILE: "VC_LOCK",
  VC_LOCKFILE: "VC_LOCK",
  VC_LOCK_PATH: "VC_LOCK",
  VC_SERVE_TOKEN: "VC_SERVE_TOKEN_FILE",
  VC_SERVE_TOKEN_PATH: "VC_SERVE_TOKEN_FILE",
  VC_TOKEN_FILE: "VC_SERVE_TOKEN_FILE",
  VC_CACHE_TOKEN_FILE: "VC_CACHE_TOKEN",
  VC_TOKEN: "VC_CACHE_TOKEN",
  VC_SERVE_URL: "VC_CACHE_URL",
  VC_URL: "VC_CACHE_URL",
  VC_REPOSITORY: "VC_REPO",
  VC_CATALOG: "VC_REPO_CATALOG",
  VC_REPOSITORY_CATALOG: "VC_REPO_CATALOG",
  VC_STORE: "VC_SERVE_STORE",
  VC_IMMUTABLE: "VC_IMMUTABLE_BUCKETS",
  VC_TIMEOUT_REQUEST: "VC_REQUEST_TIMEOUT",
  VC_S3_TIMEOUT: "VC_REQUEST_TIMEOUT",
  VC_REVALIDATION_TIMEOUT: "VC_REVALIDATE_TIMEOUT",
  // The library's option name, `onUnreachable`, spelt as a variable.
  VC_UNREACHABLE: "VC_ON_UNREACHABLE",
  VC_ONUNREACHABLE: "VC_ON_UNREACHABLE",
  VC_PARALLEL: "VC_PARALLEL_THRESHOLD",
  // The store's settings vc takes from the AWS variables, as the aws CLI does.
  VC_ENDPOINT: "AWS_ENDPOINT_URL",
  VC_ENDPOINT_URL: "AWS_ENDPOINT_URL",
  VC_S3_ENDPOINT: "AWS_ENDPOINT_URL",
  VC_S3_ENDPOINT_URL: "AWS_ENDPOINT_URL",
  VC_REGION: "AWS_REGION",
  VC_S3_REGION: "AWS_REGION",
  VC_PROFILE: "AWS_PROFILE",
  VC_AWS_PROFILE: "AWS_PROFILE",
  VC_MAX_ATTEMPTS: "AWS_MAX_ATTEMPTS",
  VC_RETRIES: "AWS_MAX_ATTEMPTS",
  // `vc prefill` / `vc mirror --concurrency N`: a CI job's `env:` guessed its
  // variable under another tool's name, and ran at the default.
  VC_PREFILL_CONCURRENCY: "VC_CONCURRENCY",
  VC_MIRROR_CONCURRENCY: "VC_CONCURRENCY",
  VC_MAX_CONCURRENCY: "VC_CONCURRENCY",
  VC_JOBS: "VC_CONCURRENCY",
  VC_PARALLELISM: "VC_CONCURRENCY",
  VC_THREADS: "VC_CONCURRENCY",
  VC_WORKERS: "VC_CONCURRENCY",
  VC_MAX_DOWNLOADS: "VC_CONCURRENCY",
};

// Other tools' names for the AWS variables vc reads (Terraform's S3 backend
// read `AWS_S3_ENDPOINT`; boto3 calls the region `region_name`; the old AWS
// command line tools read `AWS_CREDENTIAL_FILE`), each with the variables
// that set the same thing: with one of those set, the other tool's variable
// is for that tool, and vc has its setting, so nothing is said.
const AWS_OTHER_NAMES: Readonly<Record<string, { meant: string; covered: readonly string[] }>> = {
  AWS_S3_ENDPOINT: { meant: "AWS_ENDPOINT_URL_S3", covered: ["AWS_ENDPOINT_URL"] },
  AWS_S3_ENDPOINT_URL: { meant: "AWS_ENDPOINT_URL_S3", covered: ["AWS_ENDPOINT_URL"] },
  AWS_ENDPOINT_URL_s3: { meant: "AWS_ENDPOINT_URL_S3", covered: ["AWS_ENDPOINT_URL"] },
  AWS_ENDPOINT_S3: { meant: "AWS_ENDPOINT_URL_S3", covered: ["AWS_ENDPOINT_URL"] },
  AWS_ENDPOINT: { meant: "AWS_ENDPOINT_URL", covered: ["AWS_ENDPOINT_URL_S3"] },
  AWS_ENDPOINT_URLS: { meant: "AWS_ENDPOINT_URL", covered: ["AWS_ENDPOINT_URL_S3"] },
  AWS_S3_ENDPOINT_URLS: { meant: "AWS_ENDPOINT_URL_S3", covered: ["AWS_ENDPOINT_URL"] },
  AWS_REGION_NAME: { meant: "AWS_REGION", covered: ["AWS_DEFAULT_REGION"] },
  AWS_DEFAULT_REGION_NAME: { meant: "AWS_REGION", covered: ["AWS_DEFAULT_REGION"] },
  AWS_S3_REGION: { meant: "AWS_REGION", covered: ["AWS_DEFAULT_REGION"] },
  AWS_PROFILE_NAME: { meant: "AWS_PROFILE", covered: ["AWS_DEFAULT_PROFILE"] },
  AWS_CREDENTIAL_FILE: { meant: "AWS_SHARED_CREDENTIALS_FILE", covered: [] },
  AWS_CREDENTIALS_FILE: { meant: "AWS_SHARED_CREDENTIALS_FILE", covered: [] },
  AWS_SHARED_CREDENTIAL_FILE: { meant: "AWS_SHARED_CREDENTIALS_FILE", covered: [] },
  AWS_CONFIG: { meant: "AWS_CONFIG_FILE", covered: [] },
  AWS_SHARED_CONFIG_FILE: { meant: "AWS_CONFIG_FILE", covered: [] },
};

/**
 * The misspellings of `name` a typo makes: an underscore dropped, an `S`
 * added or dropped, and one slip within a word: a letter left out
 * (`VC_OFLINE`), doubled (`VC_CACHE_DIRR`) or swapped with the next one
 * (`VC_MANIFSET`). Each keeps the `VC_` prefix and the underscores, so every
 * name asked for stays under the binary's `--allow-env=VC_*`.
 */
function typos(name: string): string[] {
  const rest = name.slice("VC_".length);
  const parts = rest.split("_");
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "_") continue;
    const before = rest.slice(0, i);
    const after = rest.slice(i + 1);
    const dropped = before + after;
    if (!/^_|_$|__/.test(dropped)) out.push(`VC_${dropped}`);
    out.push(`VC_${before}${rest[i]}${rest[i]}${after}`);
    if (i + 1 < rest.length && rest[i + 1] !== "_" && rest[i + 1] !== rest[i]) {
      out.push(`VC_${before}${rest[i + 1]}${rest[i]}${rest.slice(i + 2)}`);
    }
  }
  for (let i = 1; i < parts.length; i++) {
    out.push(
      `VC_${
        [...parts.slice(0, i - 1), parts[i - 1]! + parts[i]!, ...parts.slice(i + 1)].join("_")
      }`,
    );
  }
  if (parts.length > 2) out.push(`VC_${parts.join("")}`);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const other = part.endsWith("S") ? part.slice(0, -1) : `${part}S`;
    if (other !== "") {
      out.push(`VC_${[...parts.slice(0, i), other, ...parts.slice(i + 1)].join("_")}`);
    }
  }
  return out;
}

let candidates: ReadonlyMap<string, string> | undefined;

/** Each likely misspelling, mapped to the variable it stands for. */
function misspellings(): ReadonlyMap<string, string> {
  if (candidates !== undefined) return candidates;
  const known = new Set(VC_VARIABLES);
  const map = new Map<string, string>(Object.entries(OTHER_NAMES));
  for (const name of VC_VARIABLES) {
    for (const typo of typos(name)) if (!map.has(typo)) map.set(typo, name);
  }
  for (const name of known) map.delete(name);
  return candidates = map;
}

/**
 * The variables set in `env` that look like misspellings of one vc reads,
 * each with the one it likely stands for (also when that one is set too: the
 * value given under the wrong name is still ignored), and another tool's
 * name for an AWS variable vc reads (`AWS_S3_ENDPOINT`) when neither that
 * variable nor another setting the same thing is set. Only the names this
 * process may read are asked for: an `--allow-env` list naming vc's
 * variables one by one leaves their misspellings out, not to be warned of.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { misspelledVariables } from "./env_spelling.ts";
 * const env: Record<string, string> = { VC_CACHEDIR: "/tmp/c", VC_BUCKET: "b" };
 * assert.deepEqual(misspelledVariables((n) => env[n]), [{ name: "VC_CACHEDIR", meant: "VC_CACHE_DIR" }]);
 * ```
 */
export function misspelledVariables(
  env: (name: string) => string | undefined,
): { name: string; meant: string }[] {
  // Only the names this process may read: under a narrower `--allow-env` (a
  // project's task naming vc's variables one by one), asking for one left out
  // warned of a missing permission for a variable nobody set.
  // Asked once for all of VC_* when the list grants them all (the release
  // flags, --allow-env, -A): asked for each of ~1000 names, the check took
  // 17–35 ms of every vc prefill, 6–12 ms so. A --deny-env of one such
  // name, which that answer does not see, is found by a read of the process
  // environment (~1 µs, where a question takes ~10): read through `env`,
  // it warned of a missing permission under --allow-env itself.
  const may = (variable: string) =>
    Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  const everyVc = may("VC_*");
  const notDenied = (name: string) => {
    try {
      Deno.env.get(name);
      return true;
    } catch (e) {
      return !(e instanceof Deno.errors.NotCapable); // a value no UTF-8: `env` says so
    }
  };
  const read = (name: string) =>
    (everyVc && name.startsWith("VC_") ? notDenied(name) : may(name)) ? env(name) : undefined;
  const found: { name: string; meant: string }[] = [];
  for (const [name, meant] of misspellings()) {
    if (read(name) !== undefined) found.push({ name, meant });
  }
  for (const [name, { meant, covered }] of Object.entries(AWS_OTHER_NAMES)) {
    if (read(name) === undefined) continue;
    if ([meant, ...covered].some((own) => (read(own) ?? "") !== "")) continue;
    found.push({ name, meant });
  }
  return found.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The warning for each misspelled variable set in `env` (see
 * {@linkcode misspelledVariables}), `only` limiting them to those standing
 * for the given variables.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { misspelledVariableWarnings } from "./env_spelling.ts";
 * const env: Record<string, string> = { VC_BUCKETS: "s3://b" };
 * assert.deepEqual(misspelledVariableWarnings((n) => env[n]), [
 *   "VC_BUCKETS is set, but vc reads no such variable: did you mean VC_BUCKET?",
 * ]);
 * assert.deepEqual(misspelledVariableWarnings((n) => env[n], ["VC_CACHE_DIR"]), []);
 * ```
 */
export function misspelledVariableWarnings(
  env: (name: string) => string | undefined,
  only?: readonly string[],
): string[] {
  return misspelledVariables(env)
    .filter(({ meant }) => only === undefined || only.includes(meant))
    .map(({ name, meant }) =>
      `${name} is set, but vc reads no such variable: did you mean ${meant}?`
    );
}
