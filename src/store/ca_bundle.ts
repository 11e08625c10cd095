/**
 * The CA bundle S3 requests trust besides the default roots, as the aws CLI
 * reads it: `AWS_CA_BUNDLE`, else the active profile's `ca_bundle` in the
 * shared config file. A PEM file of one or more certificates (a private CA
 * in front of MinIO, Ceph or a TLS-inspecting proxy). Read only when an
 * https request is about to be made; nothing happens on import.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { readSmallFileSync } from "../regular_file.ts";
import { activeProfileS3, type AwsProfileS3, refuseBlankAwsEnv } from "./aws_profile.ts";
import type { EnvReader } from "./s3_config.ts";

// A bundle of every public root is ~250 KiB; more than this is not a CA bundle.
const MAX_CA_BUNDLE_BYTES = 16 * 1024 * 1024;

/** Which file to trust, and the setting that named it (for messages). */
export interface CaBundleSetting {
  /** The PEM file (`~/` expanded; a relative path is from the working directory, as for the aws CLI). */
  file: string;
  /** `AWS_CA_BUNDLE`, or the profile's `ca_bundle` and its file. */
  source: string;
}

/**
 * `AWS_CA_BUNDLE` (empty counts as unset; blank is an
 * `InvalidInputError` naming it), else the active profile's `ca_bundle`,
 * else `undefined`: the aws CLI's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { caBundleSetting } from "./ca_bundle.ts";
 * const env = (n: string) => ({ AWS_CA_BUNDLE: "/etc/ca.pem" })[n];
 * assert.deepEqual(caBundleSetting(env, () => undefined), { file: "/etc/ca.pem", source: "AWS_CA_BUNDLE" });
 * assert.equal(caBundleSetting(() => undefined, () => undefined), undefined);
 * const home = (n: string) => ({ AWS_CA_BUNDLE: "~/ca.pem", HOME: "/home/u" })[n];
 * assert.equal(caBundleSetting(home)?.file, "/home/u/ca.pem");
 * ```
 */
export function caBundleSetting(
  env: EnvReader,
  profile: () => AwsProfileS3 | undefined = () => activeProfileS3(env),
): CaBundleSetting | undefined {
  // Blank is refused, as the aws CLI fails on it (no bundle at " "): taken
  // for unset, a private CA's endpoint failed saying to set it, set already.
  refuseBlankAwsEnv(env, ["AWS_CA_BUNDLE"]);
  const given = env("AWS_CA_BUNDLE")?.trim();
  if (given) return { file: expandHome(given, env), source: "AWS_CA_BUNDLE" };
  const p = profile();
  if (p?.caBundle === undefined) return undefined;
  return {
    file: expandHome(p.caBundle, env),
    source: `ca_bundle of AWS profile "${p.profile}" in ${p.at?.ca_bundle ?? p.file}`,
  };
}

/**
 * The bundles every S3 request trusts besides the default roots:
 * {@linkcode caBundleSetting}'s, and `DENO_CERT` (blank counts as unset)
 * beside it. Deno's `fetch` trusts `DENO_CERT` by itself, `node:https` (the
 * AWS SDK's requests, the large-body sender) does not where
 * `NODE_EXTRA_CA_CERTS` names another file (the machine's roots, as
 * corporate images set it): read here, every request trusts it alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { caBundleSettings } from "./ca_bundle.ts";
 * const env = (n: string) => ({ AWS_CA_BUNDLE: "/etc/roots.pem", DENO_CERT: "/etc/corp.pem" })[n];
 * assert.deepEqual(caBundleSettings(env, () => undefined).map((s) => s.source), [
 *   "AWS_CA_BUNDLE",
 *   "DENO_CERT",
 * ]);
 * assert.deepEqual(caBundleSettings(() => undefined, () => undefined), []);
 * ```
 */
export function caBundleSettings(
  env: EnvReader,
  profile: () => AwsProfileS3 | undefined = () => activeProfileS3(env),
): CaBundleSetting[] {
  const settings: CaBundleSetting[] = [];
  const own = caBundleSetting(env, profile);
  if (own !== undefined) settings.push(own);
  const deno = env("DENO_CERT")?.trim();
  if (deno && deno !== own?.file) settings.push({ file: deno, source: "DENO_CERT" });
  return settings;
}

/** A leading `~/` is the home directory, as the aws CLI reads both settings. */
function expandHome(file: string, env: EnvReader): string {
  const home = env("HOME")?.trim() || env("USERPROFILE")?.trim();
  return file.startsWith("~/") && home ? `${home}${file.slice(1)}` : file;
}

/**
 * The PEM certificates of the bundle, or an `InvalidInputError` naming the
 * file and the setting when it cannot be read or holds no certificate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCaBundle } from "./ca_bundle.ts";
 * assert.throws(
 *   () => readCaBundle({ file: "/nonexistent/ca.pem", source: "AWS_CA_BUNDLE" }),
 *   /\/nonexistent\/ca\.pem \(AWS_CA_BUNDLE\): no such file/,
 * );
 * ```
 */
export function readCaBundle(setting: CaBundleSetting): string[] {
  const what = `the CA bundle ${setting.file} (${setting.source})`;
  let text: string;
  try {
    text = new TextDecoder().decode(readSmallFileSync(setting.file, MAX_CA_BUNDLE_BYTES));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message;
    throw new InvalidInputError(`cannot read ${what}: ${reason}`, { cause: error });
  }
  const certs = text.match(
    /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
  );
  if (certs === null) {
    throw new InvalidInputError(
      `${what} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`,
    );
  }
  return certs.map((c) => c + "\n");
}
