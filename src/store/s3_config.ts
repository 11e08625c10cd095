/**
 * Where an S3 bucket lives and how to address it: endpoint, region and
 * path-style resolution from options and the environment, and the base URL of
 * a bucket for the lean request path. No AWS SDK import here, so this stays
 * cheap to load; the SDK resolves what only it can (profile region,
 * credentials) in `s3.ts`.
 *
 * @module
 */
import { durationMs } from "../duration.ts";
import { InvalidInputError, resolvedOrReported } from "../errors.ts";
import { redactUrl } from "../redact.ts";
import { envNotUtf8 } from "../env_option.ts";
import { envGranted } from "../permission_granted.ts";
import { awsPartition, awsS3Host } from "./aws_partition.ts";
import {
  environmentCredentialsHint,
  environmentKeys,
  environmentKeysProblem,
} from "./credential_env.ts";
import {
  activeProfileS3,
  type AwsProfileS3,
  missingProfile,
  namedProfile,
  prefixedCredentialsSection,
  PROFILE_ENV_VARIABLES,
  profileCredentialSetting,
  profileKeysProblem,
  profileNamesCredentials,
  refuseBlankAwsEnv,
  sharedFilePath,
  sourceProfileLoop,
} from "./aws_profile.ts";

// One type for every reader of the environment (the settings use it too).
import type { EnvReader } from "../config.ts";
export type { EnvReader };

/**
 * Reads `Deno.env`, treating a missing `--allow-env` permission as "unset" so
 * that explicit options still work in a sandbox.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoEnv } from "./s3_config.ts";
 * assert(typeof denoEnv("PATH") === "string" || denoEnv("PATH") === undefined);
 * ```
 */
export const denoEnv: EnvReader = (name: string): string | undefined => {
  if (!envGranted(name)) return undefined;
  try {
    return Deno.env.get(name);
  } catch (e) {
    // Not UTF-8 is no missing permission: refused, naming the variable,
    // rather than taken for unset (the default region, with no word).
    const notUtf8 = envNotUtf8(name, e);
    if (notUtf8 !== undefined) throw notUtf8;
    return undefined;
  }
};

/** What the caller may say about the connection (a subset of `S3StoreOptions`). */
export interface S3ConnectionOptions {
  /** Endpoint URL of an S3-compatible server, e.g. `http://127.0.0.1:9000`. */
  endpoint?: string | undefined;
  /** Region to sign for. */
  region?: string | undefined;
  /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
  forcePathStyle?: boolean | undefined;
  /**
   * Connect and idle-read timeout per request, in ms; else `VC_REQUEST_TIMEOUT`
   * (seconds), else 60 s like the aws CLI. `0` turns timeouts off.
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Attempts per request including the first; else `AWS_MAX_ATTEMPTS`, else
   * the AWS profile's `max_attempts`, else 5.
   */
  maxAttempts?: number | undefined;
  /**
   * Send requests unsigned, with no credentials at all, as the aws CLI's
   * `--no-sign-request`: for public buckets on a machine without AWS
   * credentials. Else `VC_S3_ANONYMOUS`, else false. Writes are refused.
   */
  anonymous?: boolean | undefined;
  /**
   * Say on every request that the requester pays for it
   * (`x-amz-request-payer: requester`, the aws CLI's `--request-payer
   * requester`), as a requester-pays bucket demands of anyone but its
   * owner. Else `VC_S3_REQUEST_PAYER`, else false.
   */
  requestPayer?: boolean | undefined;
}

/**
 * The variable that says every S3 request is paid by the requester (see
 * {@linkcode S3ConnectionOptions.requestPayer}).
 */
export const REQUEST_PAYER_ENV = "VC_S3_REQUEST_PAYER";

/**
 * The variable that sends every S3 request unsigned (see
 * {@linkcode S3ConnectionOptions.anonymous}).
 */
export const ANONYMOUS_ENV = "VC_S3_ANONYMOUS";

/** Attempts per request when nothing sets them (the first included). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Default request timeout (connect, first byte, and between body bytes): the aws CLI's 60 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** The connection settings after options and environment are combined. */
export interface S3ConnectionSettings {
  /** Normalized endpoint URL (no trailing slash), or `undefined` for AWS. */
  endpoint: string | undefined;
  /** Which option, variable or profile setting the endpoint came from (for messages). */
  endpointSource: string | undefined;
  /** Whether that is the option, the environment or the AWS profile. */
  endpointOrigin: S3EndpointChoice["origin"] | undefined;
  /**
   * With `endpoint` undefined (AWS itself), why, for `vc config`: the FIPS /
   * dual-stack settings that chose its host, and an endpoint configured but
   * ignored for `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`; else `default`.
   */
  awsEndpointSource: string;
  /**
   * Region from the option, `AWS_REGION` or `AWS_DEFAULT_REGION`; `undefined`
   * means "ask the SDK's profile configuration, else us-east-1".
   */
  region: string | undefined;
  /**
   * Where the region comes from, for `vc config`: `option region`, `env
   * AWS_REGION`, `env AWS_DEFAULT_REGION`, or (with `region` undefined) the
   * profile's `region` or the default.
   */
  regionSource: string;
  /**
   * The region requests use as far as it is known without the SDK: `region`,
   * else the profile's, else us-east-1 (for `vc config`).
   */
  regionShown: string;
  /** Whether requests use path-style addressing. */
  forcePathStyle: boolean;
  /** Where `forcePathStyle` comes from (the option, `VC_S3_PATH_STYLE`, the profile, or the default). */
  pathStyleSource: string;
  /** Connect / idle-read timeout per request in ms; 0 = none. */
  requestTimeoutMs: number;
  /** Attempts per request, the first included (1: no retries). */
  maxAttempts: number;
  /** Where `maxAttempts` comes from: the option, `env AWS_MAX_ATTEMPTS`, the profile's `max_attempts`, or `default`. */
  maxAttemptsSource: string;
  /**
   * AWS's FIPS endpoints (`AWS_USE_FIPS_ENDPOINT`, else the profile's
   * `use_fips_endpoint`), as the aws CLI and the SDK take them: for AWS
   * itself only, a configured endpoint is used as it is.
   */
  useFipsEndpoint: boolean;
  /** AWS's dual-stack (IPv4 and IPv6) endpoints (`AWS_USE_DUALSTACK_ENDPOINT`, else the profile's `use_dualstack_endpoint`). */
  useDualstackEndpoint: boolean;
  /** Requests go unsigned, with no credentials (see {@linkcode S3ConnectionOptions.anonymous}). */
  anonymous: boolean;
  /** Where `anonymous` comes from: `option anonymous`, `env VC_S3_ANONYMOUS`, or `default`. */
  anonymousSource: string;
  /** Requests say the requester pays (see {@linkcode S3ConnectionOptions.requestPayer}). */
  requestPayer: boolean;
  /** Where `requestPayer` comes from: `option requestPayer`, `env VC_S3_REQUEST_PAYER`, or `default`. */
  requestPayerSource: string;
}

/**
 * The one place that decides which S3 endpoint applies, in the aws CLI's
 * order: the `endpoint` option, else `AWS_ENDPOINT_URL_S3`, else
 * `AWS_ENDPOINT_URL` (an empty value is unset, a blank one refused, as the
 * AWS SDK takes it as written), else the active AWS
 * profile's (`AWS_PROFILE`, else `default`, in `AWS_CONFIG_FILE` or
 * `~/.aws/config`) `s3` `endpoint_url` of its `services` section, else its
 * `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or
 * `ignore_configured_endpoint_urls = true` in the profile) leaves only the
 * option. Returns the value as given (trimmed), where it came from and
 * whether that is the option, the environment or the profile, or
 * `undefined` for AWS itself. The asset cache names its `s3` namespace after
 * it; {@linkcode resolveS3Settings} validates it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveS3Endpoint } from "./s3_config.ts";
 * const env = (name: string) => ({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000", AWS_ENDPOINT_URL_S3: "" })[name];
 * assert.deepEqual(resolveS3Endpoint({}, env), { endpoint: "http://127.0.0.1:9000", source: "AWS_ENDPOINT_URL", origin: "env" });
 * assert.equal(resolveS3Endpoint({ endpoint: "http://minio:9000" }, env)?.source, "the endpoint option");
 * assert.equal(resolveS3Endpoint({}, () => undefined), undefined);
 * ```
 */
export function resolveS3Endpoint(
  options: Pick<S3ConnectionOptions, "endpoint">,
  env: EnvReader = denoEnv,
  profile: () => AwsProfileS3 | undefined = () => activeProfileS3(env),
): S3EndpointChoice | undefined {
  const option = nonEmpty(options.endpoint);
  if (option !== undefined) {
    return { endpoint: option, source: "the endpoint option", origin: "option" };
  }
  // The variable, or the profile's own switch, silences the environment's
  // endpoints and the profile's alike, as in the aws CLI.
  // The variable, set (`false` too), decides over the profile's setting, as
  // in the aws CLI: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false` turns a
  // profile's `ignore_configured_endpoint_urls = true` off.
  const ignore = parseBooleanEnv(IGNORE_ENDPOINTS, env(IGNORE_ENDPOINTS));
  if (ignore === true) return undefined;
  // A blank one is no unset one: AWS itself, or the `[default]` profile's
  // endpoint, is not the store meant (the SDK takes it as written).
  refuseBlankAwsEnv(env, ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", ...PROFILE_ENV_VARIABLES]);
  const found = profile();
  if (ignore === undefined && found?.ignoreConfiguredEndpointUrls === true) return undefined;
  for (const name of ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"] as const) {
    const value = nonEmpty(env(name));
    if (value !== undefined) return { endpoint: value, source: name, origin: "env" };
  }
  if (found?.endpoint === undefined) return undefined;
  return { endpoint: found.endpoint.value, source: found.endpoint.source, origin: "profile" };
}

/**
 * The endpoint {@linkcode resolveS3Endpoint} chooses, checked and written as
 * `S3Store` sends its requests to it (`http://127.0.0.1:9000`, no trailing
 * `/`), or `undefined` for AWS itself. The asset cache names its `s3`
 * namespace after this value, never the raw one: read another way, an
 * endpoint without a scheme (`127.0.0.1:9000`) or with one slash
 * (`http:/minio:9000`) named a cache directory of its own, and a warm entry
 * there was served without a word while every request for it failed.
 * Throws an `InvalidInputError` naming the setting for a value that is no
 * http(s) URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveS3EndpointUrl } from "./s3_config.ts";
 * const env = (value: string) => (name: string) => ({ AWS_ENDPOINT_URL: value })[name];
 * assert.equal(resolveS3EndpointUrl({}, env("HTTP://127.0.0.1:9000/")), "http://127.0.0.1:9000");
 * assert.throws(() => resolveS3EndpointUrl({}, env("127.0.0.1:9000")), /AWS_ENDPOINT_URL/);
 * assert.equal(resolveS3EndpointUrl({}, () => undefined), undefined);
 * ```
 */
export function resolveS3EndpointUrl(
  options: Pick<S3ConnectionOptions, "endpoint">,
  env: EnvReader = denoEnv,
): string | undefined {
  const found = resolveS3Endpoint(options, env);
  return found === undefined ? undefined : normalizeEndpoint(found.endpoint, found.source);
}

/** The variable that makes the aws CLI and the SDKs ignore configured endpoints. */
const IGNORE_ENDPOINTS = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/** An endpoint {@linkcode resolveS3Endpoint} chose, and where it came from. */
export interface S3EndpointChoice {
  /** The endpoint URL as given (trimmed). */
  endpoint: string;
  /** The option, variable or profile setting that named it (for messages). */
  source: string;
  /** Which layer that is. */
  origin: "option" | "env" | "profile";
}

/**
 * Parses a request timeout given in seconds (`VC_REQUEST_TIMEOUT`,
 * `--request-timeout`): a number, or a duration (`500ms`, `2min`, `1h30m`);
 * `0` turns timeouts off (as in the aws CLI). Returns milliseconds; throws
 * `InvalidInputError` naming `name` and calling the value `what` (the
 * revalidation wait's own error did not call it a request timeout).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequestTimeout } from "./s3_config.ts";
 * assert.equal(parseRequestTimeout("VC_REQUEST_TIMEOUT", "30"), 30_000);
 * assert.equal(parseRequestTimeout("--request-timeout", "2m"), 120_000);
 * assert.equal(parseRequestTimeout("--request-timeout", "0.5"), 500);
 * assert.equal(parseRequestTimeout("VC_REQUEST_TIMEOUT", "0"), 0);
 * assert.equal(parseRequestTimeout("--request-timeout", "2min"), 120_000);
 * assert.throws(() => parseRequestTimeout("VC_REQUEST_TIMEOUT", "soon"), /VC_REQUEST_TIMEOUT/);
 * ```
 */
export function parseRequestTimeout(
  name: string,
  value: string,
  what = "a request timeout",
): number {
  // A bare number is seconds; else a duration as every other duration is
  // read (`2min`, `1h`, `30S`: `2m` alone was taken before, `2min` refused).
  const bare = /^\d+(?:\.\d+)?$/.test(value.trim());
  const ms = bare ? Number(value.trim()) * 1000 : durationMs(value) ?? NaN;
  if (!(ms === 0 || ms >= 1) || !Number.isFinite(ms)) {
    throw new InvalidInputError(
      `${name}=${
        JSON.stringify(value)
      } is not ${what}: expected seconds, e.g. 60 (or 500ms, 2m; 0 = none)`,
    );
  }
  return Math.round(ms);
}

/**
 * The request timeout `VC_REQUEST_TIMEOUT` sets (seconds, or `500ms`,
 * `2m`), else 60 s, in ms. Throws `InvalidInputError` naming the variable
 * for a malformed value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestTimeoutFromEnv } from "./s3_config.ts";
 * assert.equal(requestTimeoutFromEnv(() => "5"), 5000);
 * assert.equal(requestTimeoutFromEnv(() => undefined), 60_000);
 * assert.throws(() => requestTimeoutFromEnv(() => "soon"), /VC_REQUEST_TIMEOUT/);
 * ```
 */
export function requestTimeoutFromEnv(env: (name: string) => string | undefined): number {
  // Empty is unset; blank (" ") is refused like any malformed value, as every
  // VC_* variable's is, rather than taken for unset without a word.
  const fromEnv = env("VC_REQUEST_TIMEOUT");
  return fromEnv === undefined || fromEnv === ""
    ? DEFAULT_REQUEST_TIMEOUT_MS
    : parseRequestTimeout("VC_REQUEST_TIMEOUT", fromEnv);
}

/**
 * Reads an attempt count as the aws CLI's `AWS_MAX_ATTEMPTS` / profile
 * `max_attempts` take it: a whole number, at least 1 (1: no retries).
 * Throws `InvalidInputError` naming `source`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaxAttempts } from "./s3_config.ts";
 * assert.equal(parseMaxAttempts("env AWS_MAX_ATTEMPTS", " 3 "), 3);
 * assert.throws(() => parseMaxAttempts("env AWS_MAX_ATTEMPTS", "0"), /AWS_MAX_ATTEMPTS/);
 * assert.throws(() => parseMaxAttempts("env AWS_MAX_ATTEMPTS", "2.5"), /whole number/);
 * ```
 */
export function parseMaxAttempts(source: string, value: string): number {
  const n = /^\s*\d{1,4}\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) {
    throw new InvalidInputError(
      `${source} is ${
        JSON.stringify(value)
      }: expected a whole number of attempts per request, at least 1 (1 = no retries)`,
    );
  }
  return n;
}

/**
 * Combines options and environment: endpoint as {@linkcode resolveS3Endpoint}
 * says; request timeout from the option, else `VC_REQUEST_TIMEOUT`
 * (seconds), else 60 s; region from the option, else
 * `AWS_REGION`, else `AWS_DEFAULT_REGION`; path style from the option, else
 * `VC_S3_PATH_STYLE` (`1|0|true|false`), else the AWS profile's
 * `s3 = addressing_style` (`path` or `virtual`), else automatically when the endpoint
 * host is an IP address, `localhost` or another single-label name (MinIO,
 * moto, Ceph on a LAN or in docker); attempts per request from the option,
 * else `AWS_MAX_ATTEMPTS`, else the profile's `max_attempts`, else 5;
 * unsigned requests from the option, else `VC_S3_ANONYMOUS`, else not.
 *
 * Throws `InvalidInputError` naming the option or variable for a malformed
 * endpoint, `VC_S3_PATH_STYLE`, `VC_S3_ANONYMOUS` or `VC_REQUEST_TIMEOUT` value; with
 * `onSettingError`, reports it instead and goes on as if that value were
 * unset (`vc config` shows every setting, the bad one's row naming the error).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveS3Settings } from "./s3_config.ts";
 * const env = (name: string) => ({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000" })[name];
 * const s = resolveS3Settings({}, env);
 * assert(s.endpoint === "http://127.0.0.1:9000" && s.forcePathStyle === true);
 * assert(s.region === undefined);
 * ```
 */
export function resolveS3Settings(
  options: S3ConnectionOptions,
  env: EnvReader = denoEnv,
  onSettingError?: (error: InvalidInputError, name: S3SettingName) => void,
): S3ConnectionSettings {
  const tolerant = <T>(name: S3SettingName, resolveIt: () => T, onError: T): T =>
    resolvedOrReported(onSettingError, name, resolveIt, onError);
  // The profile signs (and names the endpoint but for the option's): a blank
  // variable naming it is no unset one, which would sign with `[default]`'s.
  tolerant("endpoint", () => refuseBlankAwsEnv(env, PROFILE_ENV_VARIABLES), undefined);
  // One read of the profile serves the endpoint and the addressing style. A
  // shared file vc cannot read as written is reported once, with the
  // endpoint it may name (vc config shows the other settings without it).
  let profile: AwsProfileS3 | undefined | null = null;
  const readProfile = () =>
    profile === null
      ? (profile = tolerant("endpoint", () => activeProfileS3(env), undefined))
      : profile;
  const found = tolerant("endpoint", () => resolveS3Endpoint(options, env, readProfile), undefined);
  const endpoint = found === undefined
    ? undefined
    : tolerant("endpoint", () => normalizeEndpoint(found.endpoint, found.source), undefined);
  const endpointSource = found?.source;
  const endpointOrigin = found?.origin;
  tolerant("region", () => refuseBlankAwsEnv(env, ["AWS_REGION", "AWS_DEFAULT_REGION"]), undefined);
  const [region, regionSource] = firstSet<string>([
    [nonEmpty(options.region), "option region"],
    [nonEmpty(env("AWS_REGION")), "env AWS_REGION"],
    [nonEmpty(env("AWS_DEFAULT_REGION")), "env AWS_DEFAULT_REGION"],
  ]) ?? [undefined, profileWhere(readProfile(), "region") ?? "default"];
  const regionShown = region ?? readProfile()?.region ?? "us-east-1";
  // A malformed region otherwise surfaced only as a host name that does not
  // resolve (`bkt.s3.eu/west.amazonaws.com`), naming no setting.
  tolerant("region", () => checkRegion(regionShown, regionSource), undefined);
  const pathStyleEnv = tolerant(
    "pathStyle",
    () => parseBooleanEnv("VC_S3_PATH_STYLE", env("VC_S3_PATH_STYLE")),
    undefined,
  );
  // A typo there left the addressing to the default without a word (virtual
  // hosts for a `minio.lan` meant to be addressed path-style).
  if (options.forcePathStyle === undefined && pathStyleEnv === undefined) {
    tolerant("pathStyle", () => checkAddressingStyle(readProfile()), undefined);
  }
  const [forcePathStyle, pathStyleSource] = firstSet<boolean>([
    [options.forcePathStyle, "option forcePathStyle"],
    [pathStyleEnv, "env VC_S3_PATH_STYLE"],
    [readProfile()?.pathStyle, profileWhere(readProfile(), "s3 addressing_style") ?? ""],
  ]) ?? (endpoint !== undefined && isIpOrLocalhost(new URL(endpoint).hostname)
    ? [true, "default (an endpoint at an IP address, localhost or a single-label host)"]
    : [false, "default"]);
  let requestTimeoutMs = options.requestTimeoutMs;
  if (requestTimeoutMs !== undefined) {
    if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs >= 0)) {
      throw new InvalidInputError(
        `requestTimeoutMs option is ${requestTimeoutMs}: expected a number of ms (0 = none)`,
      );
    }
  } else {
    requestTimeoutMs = tolerant(
      "requestTimeout",
      () => requestTimeoutFromEnv(env),
      DEFAULT_REQUEST_TIMEOUT_MS,
    );
  }
  let maxAttempts = DEFAULT_MAX_ATTEMPTS;
  let maxAttemptsSource = "default";
  if (options.maxAttempts !== undefined) {
    maxAttempts = options.maxAttempts;
    maxAttemptsSource = "option maxAttempts";
  } else {
    tolerant("maxAttempts", () => refuseBlankAwsEnv(env, ["AWS_MAX_ATTEMPTS"]), undefined);
    const fromEnv = nonEmpty(env("AWS_MAX_ATTEMPTS"));
    const fromProfile = fromEnv === undefined ? readProfile()?.maxAttempts : undefined;
    const [value, source] = fromEnv !== undefined
      ? [fromEnv, "env AWS_MAX_ATTEMPTS"]
      : [fromProfile?.value, fromProfile?.where];
    if (value !== undefined && source !== undefined) {
      const parsed = tolerant<number | undefined>(
        "maxAttempts",
        () => parseMaxAttempts(source, value),
        undefined,
      );
      if (parsed !== undefined) [maxAttempts, maxAttemptsSource] = [parsed, source];
    }
  }
  const [anonymous, anonymousSource] = firstSet<boolean>([
    [options.anonymous, "option anonymous"],
    [
      tolerant("anonymous", () => parseBooleanEnv(ANONYMOUS_ENV, env(ANONYMOUS_ENV)), undefined),
      `env ${ANONYMOUS_ENV}`,
    ],
  ]) ?? [false, "default"];
  const [requestPayer, requestPayerSource] = firstSet<boolean>([
    [options.requestPayer, "option requestPayer"],
    [
      tolerant(
        "requestPayer",
        () => parseBooleanEnv(REQUEST_PAYER_ENV, env(REQUEST_PAYER_ENV)),
        undefined,
      ),
      `env ${REQUEST_PAYER_ENV}`,
    ],
  ]) ?? [false, "default"];
  // Set (`false` too), the variable decides over the profile, as in the aws CLI.
  const awsSwitch = (name: string, fromProfile: boolean | undefined): boolean =>
    tolerant("endpoint", () => parseBooleanEnv(name, env(name)), undefined) ?? fromProfile ??
      false;
  const fipsAsked = awsSwitch("AWS_USE_FIPS_ENDPOINT", readProfile()?.useFipsEndpoint);
  // AWS China has no S3 FIPS host: vc's requests went to one that does not
  // exist (an unreachable network), the SDK's refused naming no setting.
  const useFipsEndpoint = fipsAsked && found === undefined
    ? tolerant("endpoint", () => checkFipsRegion(regionShown, env, readProfile()), false)
    : fipsAsked;
  const useDualstackEndpoint = awsSwitch(
    "AWS_USE_DUALSTACK_ENDPOINT",
    readProfile()?.useDualstackEndpoint,
  );
  return {
    endpoint,
    endpointSource,
    endpointOrigin,
    awsEndpointSource: found === undefined
      ? awsEndpointSource(env, readProfile(), useFipsEndpoint, useDualstackEndpoint)
      : "default",
    region,
    regionSource,
    regionShown,
    forcePathStyle,
    pathStyleSource,
    requestTimeoutMs,
    maxAttempts,
    maxAttemptsSource,
    useFipsEndpoint,
    useDualstackEndpoint,
    anonymous,
    anonymousSource,
    requestPayer,
    requestPayerSource,
  };
}

/** A connection setting {@linkcode resolveS3Settings} may report as unresolvable. */
export type S3SettingName =
  | "endpoint"
  | "region"
  | "pathStyle"
  | "requestTimeout"
  | "maxAttempts"
  | "anonymous"
  | "requestPayer";

/** The first candidate with a value, and its source. */
function firstSet<T>(candidates: [T | undefined, string][]): [T, string] | undefined {
  for (const [value, source] of candidates) if (value !== undefined) return [value, source];
  return undefined;
}

/**
 * Why requests go to AWS itself (see `S3ConnectionSettings.awsEndpointSource`):
 * the switches that chose its host, each by its variable or profile setting,
 * and the endpoint `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
 * `ignore_configured_endpoint_urls`) had ignored. Reads only what
 * `resolveS3Settings` already checked: a value it reported is passed over.
 */
function awsEndpointSource(
  env: EnvReader,
  profile: AwsProfileS3 | undefined,
  fips: boolean,
  dualstack: boolean,
): string {
  const where = (variable: string, setting: string) =>
    nonEmpty(env(variable)) !== undefined
      ? `env ${variable}`
      : `${setting} of AWS profile "${profile?.profile}" in ${
        profile?.at?.[setting] ?? profile?.file
      }`;
  const chosen = [
    ...(fips ? [where("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")] : []),
    ...(dualstack ? [where("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")] : []),
  ].join(", ") || "default";
  let ignore: boolean | undefined;
  try {
    ignore = parseBooleanEnv(IGNORE_ENDPOINTS, env(IGNORE_ENDPOINTS));
  } catch {
    return chosen;
  }
  if (
    ignore === false || (ignore === undefined && profile?.ignoreConfiguredEndpointUrls !== true)
  ) {
    return chosen;
  }
  const ignored =
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"].find((name) => nonEmpty(env(name)) !== undefined) ??
      profile?.endpoint?.source;
  return ignored === undefined
    ? chosen
    : `${chosen} (${
      where(IGNORE_ENDPOINTS, "ignore_configured_endpoint_urls")
    } ignores ${ignored})`;
}

/** `setting of AWS profile "p" in FILE`, when the profile has that setting (else undefined). */
function profileWhere(
  profile: AwsProfileS3 | undefined,
  setting: "region" | "s3 addressing_style",
) {
  if (profile === undefined) return undefined;
  const has = setting === "region" ? profile.region !== undefined : profile.pathStyle !== undefined;
  const at = profile.at?.[setting === "region" ? "region" : "addressing_style"] ?? profile.file;
  return has ? `${setting} of AWS profile "${profile.profile}" in ${at}` : undefined;
}

/**
 * Whether `region` has the form of a region name (botocore's pattern:
 * letters, digits and hyphens), so that it may go into a host name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRegionName } from "./s3_config.ts";
 * assert(isRegionName("eu-west-1") && !isRegionName("evil.example/x") && !isRegionName(""));
 * ```
 */
export function isRegionName(region: string): boolean {
  return /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(region);
}

/**
 * Refuses a region that is no region name, as the aws CLI does ("Provided
 * region_name 'eu/west' doesn't match a supported format"; botocore's
 * pattern): it goes into the AWS host name and every request's signature.
 * `source` names the setting (`env AWS_REGION`, `region of AWS profile …`).
 */
function checkRegion(region: string, source: string): void {
  if (isRegionName(region)) return;
  throw new InvalidInputError(
    `${source.replace(/^env /, "")} is ${JSON.stringify(region)}, not a region name: ` +
      `expected letters, digits and hyphens, e.g. eu-west-1`,
  );
}

/**
 * True, or an `InvalidInputError` naming the FIPS setting (the variable, else
 * the profile's line) when `region`'s partition has no S3 FIPS endpoint.
 */
function checkFipsRegion(
  region: string,
  env: EnvReader,
  profile: AwsProfileS3 | undefined,
): boolean {
  if (awsPartition(region).s3Fips) return true;
  const source = nonEmpty(env("AWS_USE_FIPS_ENDPOINT")) !== undefined
    ? "AWS_USE_FIPS_ENDPOINT=true"
    : `use_fips_endpoint = true of AWS profile "${profile?.profile}" in ${
      profile?.at?.["use_fips_endpoint"] ?? profile?.file
    }`;
  throw new InvalidInputError(
    `${source} asks for AWS's FIPS endpoints, but S3 has no FIPS endpoint in region ${region} ` +
      `(AWS China; the AWS SDK refuses it too: "Partition does not support FIPS"): ` +
      `unset it for this region`,
  );
}

/**
 * Refuses the profile's `s3 = addressing_style` when it is none of `path`,
 * `virtual` and `auto`, naming the file and line, as the aws CLI refuses it
 * ("S3 addressing style pth is invalid").
 */
function checkAddressingStyle(profile: AwsProfileS3 | undefined): void {
  const written = profile?.invalidAddressingStyle;
  if (profile === undefined || written === undefined) return;
  const at = profile.at?.["addressing_style"] ?? profile.file;
  throw new InvalidInputError(
    `s3 addressing_style of AWS profile "${profile.profile}" in ${at} is ` +
      `${JSON.stringify(written)}: expected path, virtual or auto (the aws CLI refuses it too: ` +
      `"S3 addressing style ${written} is invalid")`,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/**
 * Why `url`, on AWS's own S3 hosts, is no endpoint, with the endpoint and
 * URI to give instead; undefined for any other URL (another server's path,
 * a gateway's, is its own). AWS's hosts serve no path prefix: one there is a
 * bucket pasted into the endpoint (`s3://b/k` would be read and written as
 * `b/b/k`). A bucket's own host (`b.s3.REGION…`, a bucket's "Object URL"
 * pasted in) would name the bucket twice in every request; an access
 * point's host is reached by its alias where the bucket goes.
 */
function awsEndpointProblem(url: URL): string | undefined {
  const host = awsS3Host(url.hostname);
  if (host === undefined) return undefined;
  const path = url.pathname.replace(/^\/+|\/+$/g, "");
  if (host.bucket === "" && path === "") return undefined;
  // The service's own host: no bucket label, and S3's API for a website's
  // or an access point's (`s3-website-REGION` -> `s3-REGION`).
  const service = url.hostname.toLowerCase().slice(host.bucket === "" ? 0 : host.bucket.length + 1)
    .replace(/^s3-(?:accesspoint|object-lambda|website)(?=[.-])/, "s3");
  const origin = `${url.protocol}//${service}${url.port === "" ? "" : `:${url.port}`}`;
  const key = `${path === "" ? "" : `${path}/`}KEY`;
  if (host.accessPoint) {
    return `that is an S3 access point's host, no endpoint: set ${origin} (or no endpoint) and ` +
      `give the access point's alias in place of the bucket, s3://ALIAS/${key}`;
  }
  if (host.bucket !== "") {
    return `that is bucket ${host.bucket}'s own host, no endpoint (every request would name ` +
      `the bucket twice): set ${origin} and name the bucket in the URI, s3://${host.bucket}/${key}`;
  }
  return `an AWS S3 endpoint has no path (every key would be read and written under ` +
    `"${path}/"): set ${origin} and name the bucket in the URI, s3://${key}`;
}

function normalizeEndpoint(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidInputError(
      `${source} is ${
        JSON.stringify(redactUrl(value))
      }, not a URL: expected e.g. http://127.0.0.1:9000`,
      { cause },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidInputError(
      `${source} is ${JSON.stringify(redactUrl(value))}: expected an http:// or https:// URL`,
    );
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new InvalidInputError(
      `${source} is ${
        JSON.stringify(redactUrl(value))
      }: an endpoint has no query, fragment or user info`,
    );
  }
  const problem = awsEndpointProblem(url);
  if (problem !== undefined) {
    throw new InvalidInputError(`${source} is ${JSON.stringify(redactUrl(value))}: ${problem}`);
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * Parses a boolean environment variable (`true`, `false`, any case, and for a
 * `VC_*` one `1`, `0`, `yes`, `no`, `on`, `off` as `VC_OFFLINE` takes them);
 * `undefined` when unset or empty. Throws `InvalidInputError` naming the
 * variable otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBooleanEnv } from "./s3_config.ts";
 * assert(parseBooleanEnv("VC_S3_PATH_STYLE", "TRUE") === true);
 * assert(parseBooleanEnv("VC_S3_PATH_STYLE", undefined) === undefined);
 * assert(parseBooleanEnv("VC_S3_PATH_STYLE", "yes") === true);
 * ```
 */
export function parseBooleanEnv(name: string, value: string | undefined): boolean | undefined {
  // Empty is unset; blank is refused below (as VC_OFFLINE's is), an AWS_*
  // one's too: the AWS SDK refuses anything but `true` and `false`.
  const own = name.startsWith("VC_");
  if (value === undefined || value === "") return undefined;
  // vc's own variables take what VC_OFFLINE and VC_FROZEN take; an AWS_*
  // one only `true` or `false`, as the AWS SDK does (it refuses the rest; the
  // aws CLI takes anything but `true`, `1` included, for false, so a `1`
  // taken for true went where `aws` does not).
  switch (value.trim().toLowerCase()) {
    case "1":
      if (own) return true;
      break;
    case "true":
      return true;
    case "0":
      if (own) return false;
      break;
    case "false":
      return false;
    case "yes":
    case "on":
      if (own) return true;
      break;
    case "no":
    case "off":
      if (own) return false;
      break;
  }
  throw new InvalidInputError(
    `${name}=${JSON.stringify(value)} is not a boolean: expected ${
      own ? "1/0, true/false, yes/no or on/off" : "true or false"
    }`,
  );
}

/**
 * True for `localhost`, `*.localhost`, IPv4 and IPv6 literals, and other
 * single-label names (`minio`, `ceph` in docker or Kubernetes): hosts where a
 * virtual-hosted `bucket.host` name cannot resolve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIpOrLocalhost } from "./s3_config.ts";
 * assert(isIpOrLocalhost("127.0.0.1") && isIpOrLocalhost("[::1]"));
 * assert(!isIpOrLocalhost("s3.amazonaws.com"));
 * ```
 */
export function isIpOrLocalhost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || !h.includes(".")) return true;
  if (h.startsWith("[") || h.includes(":")) return true;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h);
}

/**
 * Whether a bucket name can be used as a DNS label in `bucket.host` (virtual
 * hosted style). Names with dots only work over plain http, because a TLS
 * wildcard certificate covers a single label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isVirtualHostable } from "./s3_config.ts";
 * assert(isVirtualHostable("my-bucket", true));
 * assert(!isVirtualHostable("my.bucket", true) && !isVirtualHostable("My_Bucket", false));
 * ```
 */
export function isVirtualHostable(bucket: string, https: boolean): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return false;
  if (bucket.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return false;
  return !(https && bucket.includes("."));
}

/**
 * The URL under which a bucket's objects live, without a trailing slash:
 * `https://bucket.s3.region.amazonaws.com`, `http://host:port/bucket`, ...
 * Append `/` and the encoded key to address an object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bucketBaseUrl } from "./s3_config.ts";
 * assert(
 *   bucketBaseUrl({ endpoint: "http://127.0.0.1:9000", forcePathStyle: true }, "b", "us-east-1") ===
 *     "http://127.0.0.1:9000/b",
 * );
 * assert(
 *   bucketBaseUrl({ endpoint: undefined, forcePathStyle: false }, "data", "eu-west-1") ===
 *     "https://data.s3.eu-west-1.amazonaws.com",
 * );
 * ```
 */
export function bucketBaseUrl(
  settings:
    & Pick<S3ConnectionSettings, "endpoint" | "forcePathStyle">
    & Partial<Pick<S3ConnectionSettings, "useFipsEndpoint" | "useDualstackEndpoint">>,
  bucket: string,
  region: string,
): string {
  const endpoint = settings.endpoint ?? awsEndpoint(settings, region);
  const url = new URL(endpoint);
  const https = url.protocol === "https:";
  // An IP address has no subdomains: `bucket.127.0.0.1` is no host name (the
  // URL parser ignores it, which would drop the bucket from every request and
  // address another bucket named by the key's first segment). Path-style
  // there, as the AWS SDK does for the requests it sends.
  if (!settings.forcePathStyle && isVirtualHostable(bucket, https) && !isIpHost(url.hostname)) {
    const host = `${bucket}.${url.hostname}`;
    const virtual = new URL(url.href);
    virtual.hostname = host;
    // Any other host the URL parser refuses is ignored by it just as
    // silently: path-style then, never a request without its bucket.
    if (virtual.hostname === host) return virtual.href.replace(/\/+$/, "");
  }
  return `${url.href.replace(/\/+$/, "")}/${encodeURIComponent(bucket)}`;
}

/**
 * True for an IPv4 or IPv6 literal host: such an endpoint is addressed
 * path-style whatever the setting (`bucket.127.0.0.1` is no host name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIpHost } from "./s3_config.ts";
 * assert(isIpHost("127.0.0.1") && isIpHost("[::1]") && !isIpHost("minio"));
 * ```
 */
export function isIpHost(hostname: string): boolean {
  return hostname.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * AWS's own S3 endpoint for `region`: `https://s3.REGION.amazonaws.com`, its
 * FIPS (`s3-fips.`) or dual-stack (`s3.dualstack.`) form where the settings
 * ask for them, as the SDK builds them; in the DNS suffix of the region's
 * partition (`amazonaws.com.cn`, the ISO regions' `c2s.ic.gov`, ...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { awsEndpoint } from "./s3_config.ts";
 * assert.equal(awsEndpoint({}, "eu-west-1"), "https://s3.eu-west-1.amazonaws.com");
 * assert.equal(
 *   awsEndpoint({ useFipsEndpoint: true, useDualstackEndpoint: true }, "us-east-1"),
 *   "https://s3-fips.dualstack.us-east-1.amazonaws.com",
 * );
 * ```
 */
export function awsEndpoint(
  settings: Partial<Pick<S3ConnectionSettings, "useFipsEndpoint" | "useDualstackEndpoint">>,
  region: string,
): string {
  const fips = settings.useFipsEndpoint ? "-fips" : "";
  const dualstack = settings.useDualstackEndpoint ? ".dualstack" : "";
  return `https://s3${fips}${dualstack}.${region}.${awsPartition(region).dnsSuffix}`;
}

/**
 * What a message about credentials the SDK's chain could not load adds when
 * the active profile gets them from a `credential_process` that this process
 * may not start: the `vc` binary and tasks run without `--allow-run`
 * (`scripts/permissions.ts`), and the chain then skips that provider without
 * a word, ending in "Could not load credentials from any providers". Where
 * it may start it, that the program gave no credentials (its own error is
 * lost in the SDK's chain too). Empty when the profile has no
 * `credential_process`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialProcessHint } from "./s3_config.ts";
 * const profile = () => ({ profile: "sso", file: "~/.aws/config", credentialProcess: true });
 * const hint = credentialProcessHint(() => undefined, profile, false);
 * assert(hint.includes("credential_process") && hint.includes("export-credentials"));
 * assert(credentialProcessHint(() => undefined, profile, true).includes("run it by hand"));
 * ```
 */
export function credentialProcessHint(
  env: EnvReader = denoEnv,
  profile: () => AwsProfileS3 | undefined = () => activeProfileS3(env),
  mayRun: boolean = runGranted(),
): string {
  const found = profile();
  if (found?.credentialProcess !== true) return "";
  // Allowed to run, the program ran and gave nothing the SDK took (it failed,
  // printed no JSON, or keys without a Version): the SDK's chain drops its
  // error and says only "Could not load credentials from any providers",
  // where `aws` says "Error when retrieving credentials from custom-process".
  if (mayRun) {
    return ` (AWS profile "${found.profile}" in ${found.file} gets its credentials from a ` +
      `credential_process, which gave none: it failed, or printed no JSON with "Version": 1, ` +
      `"AccessKeyId" and "SecretAccessKey"; run it by hand to see why)`;
  }
  const name = found.profile === "default" ? "" : ` --profile ${found.profile}`;
  return ` (AWS profile "${found.profile}" in ${found.file} gets its credentials from a ` +
    `credential_process, a program vc may not run: it has no --allow-run permission; put the ` +
    `credentials in the environment instead (they come before the profile's), e.g. ` +
    `eval "$(aws configure export-credentials${name} --format env)")`;
}

/**
 * The message of the error a credential provider failed with. An answer that
 * is no AWS error (a bare 404 from an S3-only server, where the SDK sends a
 * `role_arn` profile's STS AssumeRole when an `endpoint_url` is configured;
 * a proxy's page) leaves the SDK's error only "Unknown": its HTTP status and
 * where STS requests go are then what tells the user what happened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialErrorText } from "./s3_config.ts";
 * const bare = Object.assign(new Error("Unknown"), { name: "NotFound", $metadata: { httpStatusCode: 404 } });
 * assert(credentialErrorText(bare).includes("HTTP 404"));
 * assert.equal(credentialErrorText(new Error("Access denied")), "Access denied");
 * ```
 */
export function credentialErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata
    ?.httpStatusCode;
  if (typeof status !== "number" || !/^(unknown(error)?)?$/i.test(message.trim())) return message;
  return `the credentials service answered HTTP ${status} without an AWS error ` +
    `(${(error as Error).name}: ${message.trim() || "no message"}); a role_arn profile's STS ` +
    `AssumeRole goes to the configured endpoint_url / AWS_ENDPOINT_URL too, unless ` +
    `AWS_ENDPOINT_URL_STS names the STS service (or AWS_ENDPOINT_URL_S3 / a services section's ` +
    `s3 endpoint_url names the S3 server alone)`;
}

/**
 * Everything a message about credentials the SDK's chain could not load
 * adds: that `AWS_PROFILE` names a profile neither shared file holds (a
 * typo, or the wrong `AWS_CONFIG_FILE`), else the
 * {@linkcode credentialProcessHint}, else what is wrong with the
 * environment's keys, web identity or container credentials
 * (`environmentCredentialsHint`), else that `AWS_SHARED_CREDENTIALS_FILE`
 * or `AWS_CONFIG_FILE` names a file that does not exist. Empty when there is
 * nothing to add.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credentialHint } from "./s3_config.ts";
 * const env = (n: string) =>
 *   ({ AWS_PROFILE: "nosuch", AWS_CONFIG_FILE: "/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/k" })[n];
 * assert(credentialHint(env).includes("/nonexistent/c"));
 * assert.equal(credentialHint(() => undefined), "");
 * const typo = (n: string) => ({ AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/k" })[n];
 * assert(credentialHint(typo).includes("/nonexistent/k (AWS_SHARED_CREDENTIALS_FILE) does not exist"));
 * ```
 */
export function credentialHint(env: EnvReader = denoEnv): string {
  const missing = missingProfileProblem(env);
  if (missing === undefined) {
    const loop = sourceProfileLoop(env);
    if (loop !== undefined) {
      return ` (the profiles' source_profile settings form a loop, ${loop.chain}, closed at ` +
        `${loop.at}: as the aws CLI says, "Infinite loop in credential configuration detected")`;
    }
    const keys = profileKeysProblem(env) ?? prefixedCredentialsSection(env);
    if (keys !== undefined) return ` (${keys})`;
    const process = credentialProcessHint(env);
    if (process !== "") return process;
    const environment = environmentCredentialsHint(env);
    if (environment !== "") return environment;
    // A typo in a variable naming a shared file reads as "no credentials"
    // from the SDK, naming neither the variable nor the file; where the
    // profile has a way to get them in a file that is there, that is not why.
    if (profileNamesCredentials(env)) return "";
    const absent = ([
      ["AWS_SHARED_CREDENTIALS_FILE", "credentials"],
      ["AWS_CONFIG_FILE", "config"],
    ] as const)
      .filter(([variable]) => nonEmpty(env(variable)) !== undefined)
      .map(([variable, name]) => [variable, sharedFilePath(env, variable, name)] as const)
      .map(([variable, file]) => file === undefined ? undefined : fileProblem(file, variable))
      .filter((problem) => problem !== undefined);
    return absent.length === 0 ? "" : ` (${absent.join(", ")})`;
  }
  return ` (${missing})`;
}

/**
 * That the profile `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`) names does not
 * exist, naming both shared files (or that one is not there), as the aws CLI
 * refuses it ("The config profile (p) could not be found"); `undefined` when
 * it exists or none is named. Also with keys in the environment, which sign
 * then: the profile's endpoint and region would be missed without a word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingProfileProblem } from "./s3_config.ts";
 * const env = (n: string) => ({ AWS_PROFILE: "nosuch", AWS_CONFIG_FILE: "/nonexistent/c" })[n];
 * assert.match(missingProfileProblem(env)!, /"nosuch", which does not exist: \/nonexistent\/c \(AWS_CONFIG_FILE\) does not exist/);
 * assert.equal(missingProfileProblem(() => undefined), undefined);
 * ```
 */
export function missingProfileProblem(env: EnvReader = denoEnv): string | undefined {
  const missing = missingProfile(env);
  if (missing === undefined) return undefined;
  // A file that is not there is said so (a typo in AWS_CONFIG_FILE), not searched.
  const where = (file: string, header: string, variable: string) =>
    fileProblem(file, env(variable) ? variable : undefined) ?? `no [${header}] in ${file}`;
  const files = [
    missing.config === undefined
      ? undefined
      : where(missing.config, `profile ${missing.profile}`, "AWS_CONFIG_FILE"),
    missing.credentials === undefined
      ? undefined
      : where(missing.credentials, missing.profile, "AWS_SHARED_CREDENTIALS_FILE"),
  ].filter((f) => f !== undefined);
  return `${missing.variable} names the profile "${missing.profile}", which does not exist: ` +
    `${files.length === 0 ? "no home directory to find ~/.aws in" : files.join(", ")}`;
}

// "FILE (VARIABLE) does not exist" or "… is a directory, not a file" (the
// `.aws` directory named in place of a file in it); undefined for a file, or
// one that cannot be looked at (only a file known to be missing is said to be).
function fileProblem(file: string, variable: string | undefined): string | undefined {
  let problem: string;
  try {
    if (!Deno.statSync(file).isDirectory) return undefined;
    problem = "is a directory, not a file";
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return undefined;
    problem = "does not exist";
  }
  return `${file}${variable === undefined ? "" : ` (${variable})`} ${problem}`;
}

function runGranted(): boolean {
  try {
    return Deno.permissions.querySync({ name: "run" }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Which credentials the stores would sign with and where they come from,
 * as far as that is known without asking any service, for `vc config`'s
 * `s3Credentials` row (as `aws configure list` shows `access_key`): keys in
 * the environment, else the active profile's keys (the access key ID shown
 * as the aws CLI shows it, all but its last 4 characters masked), role,
 * SSO, `credential_process` or web identity, else a web identity or
 * container endpoint named by the environment, else instance metadata.
 * Throws `InvalidInputError` for what a request would refuse: keys in the
 * environment that cannot work, or an `AWS_PROFILE` that names no profile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCredentials } from "./s3_config.ts";
 * const env = (n: string) => ({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE1234", AWS_SECRET_ACCESS_KEY: "s" })[n];
 * assert.deepEqual(describeCredentials(env), {
 *   value: "****************1234",
 *   source: "env AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
 * });
 * ```
 */
export function describeCredentials(
  env: EnvReader = denoEnv,
): { value: string | null; source: string } {
  refuseBlankAwsEnv(env, PROFILE_ENV_VARIABLES);
  const keysProblem = environmentKeysProblem(env) ?? missingProfileProblem(env);
  if (keysProblem !== undefined) throw new InvalidInputError(keysProblem);
  const mask = (id: string) => `${"*".repeat(16)}${id.slice(-4)}`;
  const keys = environmentKeys(env);
  if (keys !== undefined) {
    const profile = namedProfile(env);
    return {
      value: mask(keys.accessKeyId) + (keys.sessionToken ? " (with AWS_SESSION_TOKEN)" : ""),
      source: "env AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" +
        (profile ? ` (before AWS profile "${profile.name}" of ${profile.variable})` : ""),
    };
  }
  const found = profileCredentialSetting(env);
  if (found !== undefined) {
    return {
      value: found.setting === "aws_access_key_id"
        ? mask(found.value)
        : `${found.setting} ${
          found.setting === "credential_process" ? "(a program)" : found.value
        }`,
      source: `${found.setting} of AWS profile "${found.profile}" in ${found.where}`,
    };
  }
  for (
    const variable of [
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]
  ) {
    if (nonEmpty(env(variable)) !== undefined) {
      return {
        value: variable === "AWS_WEB_IDENTITY_TOKEN_FILE" ? "web identity" : "container endpoint",
        source: `env ${variable}`,
      };
    }
  }
  const profile = namedProfile(env)?.name ?? "default";
  return {
    value: null,
    source: `no keys in the environment, none in AWS profile "${profile}": instance metadata, ` +
      `if any`,
  };
}

/**
 * Describes where the default credential chain would find credentials, for
 * messages about refused or missing credentials. Never includes secrets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeCredentialSource } from "./s3_config.ts";
 * const env = (name: string) => ({ AWS_PROFILE: "dev" })[name];
 * assert(describeCredentialSource(false, env).includes('profile "dev"'));
 * ```
 */
export function describeCredentialSource(explicit: boolean, env: EnvReader = denoEnv): string {
  if (explicit) return "the credentials passed in the S3Store options";
  // The aws CLI's order: environment keys before any profile, a named one too.
  const profile = namedProfile(env);
  if (nonEmpty(env("AWS_ACCESS_KEY_ID"))) {
    return "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment" +
      (profile
        ? ` (not AWS profile "${profile.name}" of ${profile.variable}: keys in the environment ` +
          `come first, as for the aws CLI)`
        : "");
  }
  if (profile) return `AWS profile "${profile.name}" (${profile.variable})`;
  return `the default AWS credential chain (environment, ${sharedFilesRead(env)}, SSO, ` +
    "container or instance metadata)";
}

// The shared files the default chain reads: "~/.aws files", or those the
// variables name instead (where it read, not where a user would look).
function sharedFilesRead(env: EnvReader): string {
  const files = ([
    ["AWS_SHARED_CREDENTIALS_FILE", "credentials"],
    ["AWS_CONFIG_FILE", "config"],
  ] as const).map(([variable, name]) =>
    nonEmpty(env(variable)) === undefined
      ? `~/.aws/${name}`
      : `${sharedFilePath(env, variable, name) ?? env(variable)} (${variable})`
  );
  return files.every((f) => f.startsWith("~/.aws/")) ? "~/.aws files" : files.join(", ");
}
