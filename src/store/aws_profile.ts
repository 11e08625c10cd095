/**
 * The S3 settings of the active AWS profile in the shared config file
 * (`AWS_CONFIG_FILE`, else `~/.aws/config`): its `endpoint_url`, the
 * `endpoint_url` of its `services` section's `s3` block, its
 * `s3 = addressing_style`, `ignore_configured_endpoint_urls`, its
 * `ca_bundle`, and whether
 * it gets its credentials from a `credential_process`. The aws
 * CLI and the AWS SDKs send a profile's requests to that endpoint; vc signs
 * most requests itself, so it reads them here to agree with them (and to
 * name the cache's namespace after the endpoint really used). Read
 * synchronously and only when asked: no SDK, no file read on import.
 *
 * @module
 */
import type { EnvReader } from "./s3_config.ts";
import { InvalidInputError } from "../errors.ts";
import { notRegularFileKind, readSmallFileSync } from "../regular_file.ts";

// An AWS config file holds profiles: a few KiB (more is not one).
const MAX_AWS_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Refuses a variable of `names` set to only white space (`AWS_PROFILE: " "`
 * in a CI file), naming it: the AWS SDK takes such a value as written (its
 * selectors test truthiness: a profile named " ", an endpoint " "), and so
 * does the aws CLI, where taking it for unset would use the `[default]`
 * profile, AWS itself or another region without a word. An empty one is
 * unset, as for the SDK.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseBlankAwsEnv } from "./aws_profile.ts";
 * assert.throws(() => refuseBlankAwsEnv((n) => ({ AWS_PROFILE: " " })[n], ["AWS_PROFILE"]), /AWS_PROFILE/);
 * refuseBlankAwsEnv((n) => ({ AWS_PROFILE: "" })[n], ["AWS_PROFILE"]);
 * ```
 */
export function refuseBlankAwsEnv(env: EnvReader, names: readonly string[]): void {
  for (const name of names) {
    const value = env(name);
    if (value === undefined || value === "" || value.trim() !== "") continue;
    throw new InvalidInputError(
      `${name} is ${JSON.stringify(value)}, only white space, which the aws CLI and the AWS ` +
        `SDK take as written, not for unset: give it a value, or unset it (an empty one is unset)`,
    );
  }
}

/** The variables naming the active profile and its shared files. */
export const PROFILE_ENV_VARIABLES: readonly string[] = [
  "AWS_DEFAULT_PROFILE",
  "AWS_PROFILE",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
];

/**
 * The profile named in the environment, and the variable that named it, as
 * the aws CLI reads them: `AWS_DEFAULT_PROFILE` first (botocore reads it
 * before `AWS_PROFILE`: with both set, `aws` uses `AWS_DEFAULT_PROFILE`),
 * else `AWS_PROFILE`; `undefined` when neither is set (the `default`
 * profile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namedProfile } from "./aws_profile.ts";
 * const env = (n: string) => ({ AWS_PROFILE: "b", AWS_DEFAULT_PROFILE: "a" })[n];
 * assert.deepEqual(namedProfile(env), { name: "a", variable: "AWS_DEFAULT_PROFILE" });
 * assert.equal(namedProfile(() => undefined), undefined);
 * ```
 */
export function namedProfile(env: EnvReader): { name: string; variable: string } | undefined {
  for (const variable of ["AWS_DEFAULT_PROFILE", "AWS_PROFILE"]) {
    const name = nonEmpty(env(variable));
    if (name !== undefined) return { name, variable };
  }
  return undefined;
}

/** What the active profile says about S3 addressing. */
export interface AwsProfileS3 {
  /** The profile's name (`AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, else `default`). */
  profile: string;
  /** The config file read. */
  file: string;
  /** The S3 endpoint the profile names, and which setting named it (for messages). */
  endpoint?: { value: string; source: string };
  /** `s3 = addressing_style = path|virtual` (`auto`, or none: undefined). */
  pathStyle?: boolean;
  /**
   * `s3 = addressing_style` as written when it is none of `path`, `virtual`
   * and `auto` (a typo such as `pth`): the aws CLI refuses it, and so does
   * the reader rather than choose an addressing of its own.
   */
  invalidAddressingStyle?: string;
  /** The profile's `region` (what the SDK takes when no variable names one). */
  region?: string;
  /** The profile's `ca_bundle`: a PEM file of CAs to trust (as the aws CLI does). */
  caBundle?: string;
  /** `ignore_configured_endpoint_urls = true` in the profile. */
  ignoreConfiguredEndpointUrls?: boolean;
  /** The profile names a `credential_process` (a program that prints its credentials). */
  credentialProcess?: boolean;
  /** `use_fips_endpoint = true|false` in the profile (AWS's FIPS endpoints). */
  useFipsEndpoint?: boolean;
  /** `use_dualstack_endpoint = true|false` in the profile (AWS's IPv4 and IPv6 endpoints). */
  useDualstackEndpoint?: boolean;
  /**
   * `max_attempts` in the profile as written (attempts per request, the
   * first included), and where (`FILE:LINE`); checked by the reader.
   */
  maxAttempts?: { value: string; where: string };
  /**
   * Where in {@linkcode AwsProfileS3.file} the settings above were read, for
   * messages: `FILE:LINE` by setting (`endpoint_url`, `region`,
   * `ca_bundle`, `addressing_style`, `use_fips_endpoint`,
   * `use_dualstack_endpoint`, `ignore_configured_endpoint_urls`).
   */
  at?: Record<string, string>;
}

type Section = Map<string, string | Map<string, string>>;

// The 1-based line each value was read from, by the map holding it.
const LINES = new WeakMap<Map<string, unknown>, Map<string, number>>();

// The first line of a parsed file that neither the aws CLI nor the SDK reads as
// written, by the file's sections (see parseIni).
const MALFORMED = new WeakMap<Map<string, Section>, { line: number; what: string }>();

// The first `key: value` line of a section, by the section: botocore reads it,
// the AWS SDK skips it (see parseIni).
const COLON_LINES = new WeakMap<Section, { line: number; key: string }>();

function lineOf(map: Map<string, unknown> | undefined, key: string): number | undefined {
  return map === undefined ? undefined : LINES.get(map)?.get(key);
}

/**
 * Reads the active profile's S3 settings, or `undefined` when there is no
 * config file (or it cannot be read: the SDK's credential chain reports that)
 * or no such profile in it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeProfileS3 } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(
 *   `${dir}/config`,
 *   "[profile m]\nendpoint_url = http://127.0.0.1:9000\ns3 =\n  addressing_style = path\n",
 * );
 * const env = (n: string) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_PROFILE: "m" })[n];
 * const p = activeProfileS3(env);
 * assert.equal(p?.endpoint?.value, "http://127.0.0.1:9000");
 * assert.equal(p?.pathStyle, true);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function activeProfileS3(env: EnvReader): AwsProfileS3 | undefined {
  const profile = namedProfile(env)?.name ?? "default";
  const file = configFilePath(env);
  const sections = file === undefined ? undefined : readIni(file);
  if (file !== undefined) refuseMalformed(sections, file, env, "AWS_CONFIG_FILE");
  const fromConfig = sections?.get(`profile ${profile}`) ??
    (profile === "default" ? sections?.get("default") : undefined);
  // The credentials file's section of the profile counts too: the AWS SDK
  // reads every profile setting (region, endpoint_url, ...) from both files,
  // the config file's first (but the region: see below), and botocore merges
  // the two the same way (the credentials file's first), so an endpoint_url
  // there sent `aws` and the SDK's requests to it while vc's went to AWS.
  const credentials = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const credentialSections = credentials === undefined ? undefined : readIni(credentials);
  if (credentials !== undefined) {
    refuseMalformed(credentialSections, credentials, env, "AWS_SHARED_CREDENTIALS_FILE");
  }
  const fromCredentials = credentialSections?.get(profile);
  const layers: [Section, string][] = [];
  if (file !== undefined && fromConfig !== undefined) layers.push([fromConfig, file]);
  if (credentials !== undefined && fromCredentials !== undefined) {
    layers.push([fromCredentials, credentials]);
  }
  if (layers.length === 0) return undefined;
  refuseColonLines(layers, profile);
  return profileS3In(layers, sections ?? new Map(), file, profile);
}

/**
 * Throws an `InvalidInputError` naming the file, the line and what is wrong
 * when `sections` (parsed from `file`) hold a line that neither reader takes
 * as written: botocore refuses the whole file (every `aws` command fails),
 * while the AWS SDK skips the line and files the settings below an unclosed
 * `[profile p` under the section above it, so the profile silently lost its
 * endpoint (vc went to AWS) and another profile took it. Never quotes a
 * value: the line may hold a secret key.
 */
function refuseMalformed(
  sections: Map<string, Section> | undefined,
  file: string,
  env: EnvReader,
  variable: string,
): void {
  const bad = sections === undefined ? undefined : MALFORMED.get(sections);
  if (bad === undefined) return;
  const named = nonEmpty(env(variable)) === undefined ? "" : ` (${variable})`;
  throw new InvalidInputError(`${file}:${bad.line}${named}: ${bad.what}`);
}

/**
 * Throws an `InvalidInputError` naming the file, the line and the key when
 * the active profile's sections hold a `key: value` line: botocore reads it,
 * the AWS SDK (vc's credentials and region) skips it, so `aws` went to the
 * profile's `endpoint_url:` while vc's requests went to AWS. Only the
 * active profile's: another profile's such line misleads no one here.
 */
function refuseColonLines(layers: [Section, string][], profile: string): void {
  for (const [section, file] of layers) {
    const colon = COLON_LINES.get(section);
    if (colon === undefined) continue;
    throw new InvalidInputError(
      `${file}:${colon.line}: "${colon.key}:" in AWS profile "${profile}" is written with a ` +
        `colon, which the aws CLI reads but the AWS SDK vc takes its credentials and region ` +
        `from skips, so the two would not agree: write "${colon.key} = ..."`,
    );
  }
}

// The file parsed, or undefined when it cannot be read (the SDK's credential
// chain reports that).
function readIni(file: string): Map<string, Section> | undefined {
  try {
    // Synchronous: looked at first (a FIFO there would block the process).
    return parseIni(new TextDecoder().decode(readSmallFileSync(file, MAX_AWS_CONFIG_BYTES)));
  } catch {
    return undefined;
  }
}

// The file's sections: none when there is no such file or it cannot be read.
function iniSections(file: string | undefined): Map<string, Section> {
  return (file === undefined ? undefined : readIni(file)) ?? new Map<string, Section>();
}

// `layers`: the profile's sections, the one whose settings win first, with
// their files; `sections`: the config file's (for its `services` sections),
// `configFile` its path.
function profileS3In(
  layers: [Section, string][],
  sections: Map<string, Section>,
  configFile: string | undefined,
  profile: string,
): AwsProfileS3 | undefined {
  // A setting's value, the section holding it and that section's file.
  const get = (key: string, order = layers) => {
    for (const [section, file] of order) {
      const value = section.get(key);
      if (typeof value === "string" ? nonEmpty(value) !== undefined : value !== undefined) {
        return { value, section, file };
      }
    }
    return undefined;
  };
  const file = layers[0]![1];
  const result: AwsProfileS3 = { profile, file };
  const at: Record<string, string> = {};
  const place = (
    map: Map<string, unknown> | undefined,
    key: string,
    where = file,
    setting = key,
  ) => {
    const line = lineOf(map, key);
    if (line !== undefined) at[setting] = `${where}:${line}`;
    return line === undefined ? where : `${where}:${line}`;
  };
  // The services section's S3 endpoint wins over the profile's global one,
  // as in the aws CLI and the SDKs. The services sections themselves are
  // read from the config file only, as both do.
  const servicesName = scalar(get("services")?.value);
  const services = servicesName === undefined
    ? undefined
    : sections.get(`services ${servicesName}`)?.get("s3");
  const servicesEndpoint = services instanceof Map
    ? nonEmpty(services.get("endpoint_url"))
    : undefined;
  const global = get("endpoint_url");
  const globalEndpoint = nonEmpty(scalar(global?.value));
  if (servicesEndpoint !== undefined) {
    result.endpoint = {
      value: servicesEndpoint,
      source: `s3 endpoint_url of services "${servicesName}" (AWS profile "${profile}" in ${
        place(services as Map<string, string>, "endpoint_url", configFile ?? file)
      })`,
    };
  } else if (globalEndpoint !== undefined && global !== undefined) {
    result.endpoint = {
      value: globalEndpoint,
      source: `endpoint_url of AWS profile "${profile}" in ${
        place(global.section, "endpoint_url", global.file)
      }`,
    };
  }
  const s3 = get("s3");
  const written = s3?.value instanceof Map ? s3.value.get("addressing_style") : undefined;
  const style = written?.trim().toLowerCase();
  if (style === "path") result.pathStyle = true;
  else if (style === "virtual") result.pathStyle = false;
  else if (written !== undefined && style !== "auto") result.invalidAddressingStyle = written;
  if (style !== undefined && s3?.value instanceof Map) {
    place(s3.value, "addressing_style", s3.file);
  }
  // The region alone is read from the credentials file first: the SDK's
  // client resolves it so (its region loader prefers that file, unlike its
  // other settings), and so does the aws CLI; reading the config file's
  // first showed one region in `vc config` while requests were signed for
  // the other.
  const region = get("region", [...layers].reverse());
  const regionValue = nonEmpty(scalar(region?.value));
  if (regionValue !== undefined && region !== undefined) {
    result.region = regionValue;
    place(region.section, "region", region.file);
  }
  const caBundle = get("ca_bundle");
  const caBundleValue = nonEmpty(scalar(caBundle?.value));
  if (caBundleValue !== undefined && caBundle !== undefined) {
    result.caBundle = caBundleValue;
    place(caBundle.section, "ca_bundle", caBundle.file);
  }
  const ignoreSetting = get("ignore_configured_endpoint_urls");
  const ignore = scalar(ignoreSetting?.value)?.toLowerCase();
  if (ignore === "true" && ignoreSetting !== undefined) {
    result.ignoreConfiguredEndpointUrls = true;
    place(ignoreSetting.section, "ignore_configured_endpoint_urls", ignoreSetting.file);
  }
  if (nonEmpty(scalar(get("credential_process")?.value)) !== undefined) {
    result.credentialProcess = true;
  }
  for (
    const [name, key] of [
      ["use_fips_endpoint", "useFipsEndpoint"],
      ["use_dualstack_endpoint", "useDualstackEndpoint"],
    ] as const
  ) {
    const setting = get(name);
    const value = scalar(setting?.value)?.trim().toLowerCase();
    if ((value === "true" || value === "false") && setting !== undefined) {
      result[key] = value === "true";
      place(setting.section, name, setting.file);
    }
  }
  const attempts = get("max_attempts");
  const attemptsValue = nonEmpty(scalar(attempts?.value));
  if (attemptsValue !== undefined && attempts !== undefined) {
    result.maxAttempts = {
      value: attemptsValue,
      where: `max_attempts of AWS profile "${profile}" in ${
        place(attempts.section, "max_attempts", attempts.file)
      }`,
    };
  }
  if (Object.keys(at).length > 0) result.at = at;
  return result;
}

/**
 * When `AWS_PROFILE` names a profile that neither shared file holds (no
 * `[profile p]` in the config file, no `[p]` in the credentials file), the
 * two files looked in: the aws CLI then fails with "The config profile (p)
 * could not be found", while the AWS SDK's chain only ends in "Could not
 * load credentials from any providers". `undefined` when the profile exists,
 * or when `AWS_PROFILE` is unset or `default`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { missingProfile } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/config`, "[profile lab]\nregion = eu-west-1\n");
 * const env = (p: string) => (n: string) =>
 *   ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_SHARED_CREDENTIALS_FILE: `${dir}/none`, AWS_PROFILE: p })[n];
 * assert.equal(missingProfile(env("lab")), undefined);
 * assert.equal(missingProfile(env("lba"))?.profile, "lba");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function missingProfile(
  env: EnvReader,
): {
  profile: string;
  variable: string;
  config: string | undefined;
  credentials: string | undefined;
} | undefined {
  const named = namedProfile(env);
  const profile = named?.name;
  if (named === undefined || profile === undefined || profile === "default") return undefined;
  const config = configFilePath(env);
  const credentials = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (iniSections(config).has(`profile ${profile}`) || iniSections(credentials).has(profile)) {
    return undefined;
  }
  return { profile, variable: named.variable, config, credentials };
}

/**
 * What is wrong with the active profile's keys in the shared files, at which
 * line, when the AWS SDK's chain found none there: an `aws_access_key_id`
 * without its `aws_secret_access_key` (the aws CLI: "Partial credentials
 * found in shared-credentials-file"), or a `key: value` line, which botocore
 * reads but the AWS SDK for JavaScript (where vc's credentials come from)
 * does not. `undefined` when nothing such is found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { profileKeysProblem } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/credentials`, "[default]\naws_access_key_id = AK\n");
 * const env = (n: string) => ({ AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`, AWS_CONFIG_FILE: `${dir}/none` })[n];
 * assert(profileKeysProblem(env)?.includes(`${dir}/credentials:2`));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function profileKeysProblem(env: EnvReader): string | undefined {
  const profile = namedProfile(env)?.name ?? "default";
  const files: [string | undefined, (name: string) => boolean][] = [
    [sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"), (n) => n === profile],
    [
      configFilePath(env),
      (n) => n === `profile ${profile}` || (profile === "default" && n === "default"),
    ],
  ];
  for (const [file, isProfile] of files) {
    if (file === undefined) continue;
    let text: string;
    try {
      text = new TextDecoder().decode(readSmallFileSync(file, MAX_AWS_CONFIG_BYTES));
    } catch {
      continue;
    }
    let inProfile = false;
    const keys = new Map<string, { line: number; value: string }>();
    let colon: { line: number; key: string } | undefined;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = (raw.split(/(?:^|\s)[;#]/)[0] ?? "").trim();
      const header = /^\[\s*(.*?)\s*\]/.exec(line);
      if (header !== null) {
        inProfile = isProfile(
          (header[1] ?? "").replace(/\s+/g, " ").replace(/^(\w+) (["'])(.*)\2$/, "$1 $3"),
        );
        return;
      }
      if (!inProfile) return;
      const kv = /^(aws_access_key_id|aws_secret_access_key)\s*([=:])\s*(.*)$/i.exec(line);
      if (kv === null) return;
      const key = kv[1]!.toLowerCase();
      if (kv[2] === ":") colon ??= { line: i + 1, key };
      else keys.set(key, { line: i + 1, value: kv[3]!.trim() });
    });
    const id = keys.get("aws_access_key_id");
    const secret = keys.get("aws_secret_access_key");
    if (colon !== undefined && (id === undefined || secret === undefined)) {
      return `${file}:${colon.line}: "${colon.key}:" is written with a colon, which the AWS SDK ` +
        `vc takes its credentials from does not read (the aws CLI does): write "${colon.key} = ..."`;
    }
    if (id !== undefined && id.value !== "" && (secret === undefined || secret.value === "")) {
      return `${file}:${secret?.line ?? id.line}: profile "${profile}" has an aws_access_key_id ` +
        `but no aws_secret_access_key (the aws CLI: "Partial credentials found")`;
    }
    if (secret !== undefined && secret.value !== "" && (id === undefined || id.value === "")) {
      return `${file}:${id?.line ?? secret.line}: profile "${profile}" has an ` +
        `aws_secret_access_key but no aws_access_key_id (the aws CLI: "Partial credentials found")`;
    }
  }
  return undefined;
}

// The settings by which a profile gets credentials (keys, a role, SSO, a
// program, a web identity): a profile with none of them has none to give.
const CREDENTIAL_SETTINGS = [
  "aws_access_key_id",
  "role_arn",
  "sso_session",
  "sso_start_url",
  "credential_process",
  "web_identity_token_file",
];

/**
 * True when the active profile's section in either shared file names a way
 * to get credentials (keys, `role_arn`, SSO, `credential_process`, a web
 * identity): then a shared file that is not there is not why none were
 * found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { profileNamesCredentials } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/config`, "[default]\nregion = eu-west-1\n");
 * const env = (n: string) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_SHARED_CREDENTIALS_FILE: `${dir}/none` })[n];
 * assert.equal(profileNamesCredentials(env), false);
 * Deno.writeTextFileSync(`${dir}/config`, "[default]\naws_access_key_id = AK\n");
 * assert.equal(profileNamesCredentials(env), true);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function profileNamesCredentials(env: EnvReader): boolean {
  const profile = namedProfile(env)?.name ?? "default";
  const config = configFilePath(env);
  const credentials = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const configSections = config === undefined ? undefined : readIni(config);
  const sections = [
    configSections?.get(`profile ${profile}`),
    profile === "default" ? configSections?.get("default") : undefined,
    credentials === undefined ? undefined : readIni(credentials)?.get(profile),
  ];
  return sections.some((section) =>
    section !== undefined && CREDENTIAL_SETTINGS.some((key) => section.has(key))
  );
}

/**
 * How the active profile gets its credentials, as the SDK's chain looks in
 * it: the first of its keys (`aws_access_key_id`, the credentials file's
 * first), `role_arn`, SSO, `credential_process` or a web identity found in
 * its sections, with the value as written (an access key ID, a role ARN, …:
 * no secret) and where (`FILE:LINE`); `undefined` when it names none (for
 * `vc config`'s `s3Credentials` row).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { profileCredentialSetting } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/config`, "[profile lab]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/r\n");
 * const env = (n: string) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_SHARED_CREDENTIALS_FILE: `${dir}/none`, AWS_PROFILE: "lab" })[n];
 * assert.deepEqual(profileCredentialSetting(env), {
 *   profile: "lab", setting: "role_arn", value: "arn:aws:iam::1:role/r", where: `${dir}/config:3`,
 * });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function profileCredentialSetting(
  env: EnvReader,
): { profile: string; setting: string; value: string; where: string } | undefined {
  const profile = namedProfile(env)?.name ?? "default";
  const config = configFilePath(env);
  const credentials = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const configSections = config === undefined ? undefined : readIni(config);
  const sections: [Section | undefined, string | undefined][] = [
    [credentials === undefined ? undefined : readIni(credentials)?.get(profile), credentials],
    [configSections?.get(`profile ${profile}`), config],
    [profile === "default" ? configSections?.get("default") : undefined, config],
  ];
  for (const setting of CREDENTIAL_SETTINGS) {
    for (const [section, file] of sections) {
      const value = nonEmpty(scalar(section?.get(setting)));
      if (section === undefined || file === undefined || value === undefined) continue;
      const line = lineOf(section, setting);
      return { profile, setting, value, where: line === undefined ? file : `${file}:${line}` };
    }
  }
  return undefined;
}

/**
 * A `[profile p]` section holding the active profile's keys in the shared
 * credentials file, where headers carry no `profile ` prefix (the config
 * file's do): both the aws CLI and the AWS SDK read it as a profile named
 * "profile p" and find no keys for `p` ("Unable to locate credentials").
 * The message names the file and line and the header to write; `undefined`
 * when `[p]` there holds keys, or no such section is found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixedCredentialsSection } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/credentials`, "[profile lab]\naws_access_key_id = AK\naws_secret_access_key = s\n");
 * const env = (n: string) => ({ AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`, AWS_PROFILE: "lab" })[n];
 * assert(prefixedCredentialsSection(env)?.includes(`${dir}/credentials:2`));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function prefixedCredentialsSection(env: EnvReader): string | undefined {
  const profile = namedProfile(env)?.name ?? "default";
  const file = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const sections = file === undefined ? undefined : readIni(file);
  if (nonEmpty(scalar(sections?.get(profile)?.get("aws_access_key_id"))) !== undefined) {
    return undefined;
  }
  const prefixed = sections?.get(`profile ${profile}`);
  if (nonEmpty(scalar(prefixed?.get("aws_access_key_id"))) === undefined) return undefined;
  const line = lineOf(prefixed, "aws_access_key_id");
  return `${file}${
    line === undefined ? "" : `:${line}`
  }: the keys are under [profile ${profile}], ` +
    `which the credentials file reads as a profile named "profile ${profile}" (its headers take ` +
    `no "profile " prefix, unlike the config file's; the aws CLI finds no credentials either): ` +
    `write [${profile}]`;
}

/**
 * The `source_profile` loop the active profile's role chain runs into, as
 * `a -> b -> a` with the place of the `source_profile` that closes it
 * (`FILE:LINE`), or `undefined`: the aws CLI says "Infinite loop in
 * credential configuration detected", the AWS SDK's chain only "Could not
 * load credentials from any providers". A profile whose `source_profile` is
 * itself and that holds its own keys is no loop (both read it so).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceProfileLoop } from "./aws_profile.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(
 *   `${dir}/config`,
 *   "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n",
 * );
 * const env = (n: string) =>
 *   ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_SHARED_CREDENTIALS_FILE: `${dir}/none`, AWS_PROFILE: "a" })[n];
 * assert.equal(sourceProfileLoop(env)?.chain, "a -> b -> a");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function sourceProfileLoop(env: EnvReader): { chain: string; at: string } | undefined {
  const configFile = configFilePath(env);
  const credentialsFile = sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const config = iniSections(configFile);
  const credentials = iniSections(credentialsFile);
  // A profile's setting, and where it is: the credentials file wins, as in the SDK.
  const setting = (profile: string, key: string): { value: string; at: string } | undefined => {
    const places: [Section | undefined, string | undefined][] = [
      [credentials.get(profile), credentialsFile],
      [
        config.get(`profile ${profile}`) ??
          (profile === "default" ? config.get("default") : undefined),
        configFile,
      ],
    ];
    for (const [section, file] of places) {
      const value = nonEmpty(scalar(section?.get(key)));
      if (value !== undefined) {
        const line = lineOf(section, key);
        return { value, at: line === undefined ? `${file}` : `${file}:${line}` };
      }
    }
    return undefined;
  };
  const visited: string[] = [];
  let profile = namedProfile(env)?.name ?? "default";
  for (let i = 0; i < 1000; i++) {
    visited.push(profile);
    const source = setting(profile, "source_profile");
    if (source === undefined || setting(profile, "role_arn") === undefined) return undefined;
    if (source.value === profile && setting(profile, "aws_access_key_id") !== undefined) {
      return undefined;
    }
    if (visited.includes(source.value)) {
      return { chain: [...visited, source.value].join(" -> "), at: source.at };
    }
    profile = source.value;
  }
  return undefined;
}

/**
 * A shared file (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, or their
 * `~/.aws` defaults) that is a FIFO, said naming the file. The AWS SDK reads
 * both whole whenever it loads credentials or a client setting, so a FIFO no
 * one writes to held vc for good without a word, where the aws CLI skips
 * such a file. `undefined` for anything else: a regular file, a directory
 * (the SDK reads none), `/dev/null` (the usual way to have no such file) or
 * nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedFileNotRegular } from "./aws_profile.ts";
 * const env = (n: string) => ({ AWS_SHARED_CREDENTIALS_FILE: "/dev/null", HOME: "/nonexistent" })[n];
 * assert.equal(sharedFileNotRegular(env), undefined);
 * ```
 */
export function sharedFileNotRegular(env: EnvReader): string | undefined {
  for (
    const [variable, name] of [
      ["AWS_SHARED_CREDENTIALS_FILE", "credentials"],
      ["AWS_CONFIG_FILE", "config"],
    ] as const
  ) {
    const file = sharedFilePath(env, variable, name);
    const kind = file === undefined ? undefined : notRegularFileKind(file);
    if (kind !== "a FIFO") continue;
    const named = nonEmpty(env(variable)) === undefined ? "" : ` (${variable})`;
    return `${file}${named} is a FIFO, not a regular file: the AWS SDK vc takes its ` +
      `credentials and settings from would wait on it for good while no one writes to it (the ` +
      `aws CLI skips it): make it a file, or set ${variable} to one`;
  }
  return undefined;
}

/** `AWS_CONFIG_FILE` (a leading `~/` is the home directory), else `~/.aws/config`. */
function configFilePath(env: EnvReader): string | undefined {
  return sharedFilePath(env, "AWS_CONFIG_FILE", "config");
}

/**
 * The shared file `variable` names (a leading `~/` is the home directory),
 * else `~/.aws/NAME`; `undefined` without a home directory to find it in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedFilePath } from "./aws_profile.ts";
 * const env = (n: string) => ({ HOME: "/home/me", AWS_CONFIG_FILE: "~/cfg" })[n];
 * assert.equal(sharedFilePath(env, "AWS_CONFIG_FILE", "config"), "/home/me/cfg");
 * assert.equal(sharedFilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"), "/home/me/.aws/credentials");
 * ```
 */
export function sharedFilePath(
  env: EnvReader,
  variable: string,
  name: string,
): string | undefined {
  const home = nonEmpty(env("HOME")) ?? nonEmpty(env("USERPROFILE"));
  const given = nonEmpty(env(variable));
  if (given !== undefined) {
    if (!given.startsWith("~/")) return given;
    return home === undefined ? undefined : `${home}${given.slice(1)}`;
  }
  return home === undefined ? undefined : `${home}/.aws/${name}`;
}

/**
 * The shared config file's INI dialect: `[section]` headers (a comment may
 * follow, as botocore and the JS SDK read it), `key = value` (not botocore's
 * `key: value`, which the JS SDK vc's credentials come from does not read),
 * `#` / `;` comments (whole lines, or after whitespace at the end of one, as
 * the JS SDK strips them), and a key with an empty value followed by
 * indented `key = value` lines as a nested block (`s3 =`). Keys are compared
 * in lower case, as botocore's parser does.
 */
function parseIni(text: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let section: Section | undefined;
  let nested: Map<string, string> | undefined;
  const note = (map: Map<string, unknown>, key: string, line: number) => {
    let lines = LINES.get(map);
    if (lines === undefined) LINES.set(map, lines = new Map());
    lines.set(key, line);
  };
  let lineNumber = 0;
  for (const raw of text.split(/\r?\n/)) {
    lineNumber++;
    // A `#` or `;` at the start or after whitespace starts a comment, also
    // after a value (`region = eu-west-1 # prod`), as the JS SDK reads it: the
    // SDK takes its credentials and region from these files, so vc must not
    // read another value than it does.
    const line = (raw.split(/(?:^|\s)[;#]/)[0] ?? "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    // Python's configparser: anything after the closing bracket (a comment) is ignored.
    const header = /^\[\s*(.*?)\s*\]/.exec(line);
    if (header !== null) {
      // `[profile "name"]`: the quotes are no part of the name (botocore
      // splits the header as a shell would, the JS SDK drops them too).
      const name = (header[1] ?? "").replace(/\s+/g, " ").replace(
        /^([\w-]+) (["'])(.*)\2$/,
        "$1 $3",
      );
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      nested = undefined;
      continue;
    }
    const eq = line.indexOf("=");
    // Lines botocore's parser refuses and the SDK's skips: noted, not read.
    if (line.startsWith("[") && !MALFORMED.has(sections)) {
      MALFORMED.set(sections, {
        line: lineNumber,
        what: `a section header without its closing "]" (${JSON.stringify(line)}), which ` +
          `the AWS SDK skips, reading the settings below it as the section's above (the aws ` +
          `CLI refuses this file)`,
      });
    } else if (section === undefined && eq > 0 && !MALFORMED.has(sections)) {
      MALFORMED.set(sections, {
        line: lineNumber,
        what: `the setting ${JSON.stringify(line.slice(0, eq).trim())} stands before any ` +
          `[section] header, where no profile reads it (the aws CLI refuses this file)`,
      });
    } else if (section !== undefined && eq < 0 && !/^\s/.test(raw)) {
      // Not indented, so no continuation of a nested block: a setting
      // written without "=". `key: value` botocore reads (the SDK does
      // not: refused for the active profile); anything else neither reads
      // as meant (`region eu-west-1`). Never quoted: it may hold a secret.
      const colon = /^([^\s:=]+)\s*:/.exec(line);
      if (colon !== null) {
        if (!COLON_LINES.has(section)) {
          COLON_LINES.set(section, { line: lineNumber, key: colon[1]! });
        }
      } else if (!MALFORMED.has(sections)) {
        MALFORMED.set(sections, {
          line: lineNumber,
          what: `a line without "=" (a setting is written KEY = VALUE), which the AWS SDK ` +
            `skips, so no profile has that setting`,
        });
      }
    }
    if (section === undefined || eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (/^\s/.test(raw) && nested !== undefined) {
      nested.set(key, value);
      note(nested, key, lineNumber);
      continue;
    }
    if (value === "") {
      nested = new Map();
      section.set(key, nested);
    } else {
      nested = undefined;
      section.set(key, value);
    }
    note(section, key, lineNumber);
  }
  return sections;
}

function scalar(value: string | Map<string, string> | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
