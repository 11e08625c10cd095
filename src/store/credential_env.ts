/**
 * What is wrong with the credentials the environment gives the AWS SDK's
 * chain, said naming the variable (and the file it names), never a value:
 * static keys (`AWS_ACCESS_KEY_ID`, ...), a web identity token file, and a
 * container credentials endpoint with its authorization token. The SDK's
 * chain ends in "Could not load credentials from any providers" or a bare
 * `ENOENT ... open '/path'` for each of them; the aws CLI names what it
 * found ("Partial credentials found in env", "Auth token value is not a
 * legal header value").
 *
 * @module
 */
import type { EnvReader } from "../config.ts";
import { readSmallFileSync } from "../regular_file.ts";
import { redactUrl } from "../redact.ts";

// A token file holds one token: a few KiB (a JWT).
const MAX_TOKEN_FILE_BYTES = 1024 * 1024;

/**
 * The static keys in the environment when they are what signs: both
 * `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` set (an empty variable is
 * unset), with `AWS_SESSION_TOKEN` if set. They come before every profile,
 * `AWS_PROFILE`'s too, as in the aws CLI's chain (the profile still gives
 * the endpoint, region and the rest): the AWS SDK's chain skips them when a
 * profile is named, so a profile holding only an `endpoint_url` found no
 * credentials, and one with keys of its own signed with those instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentKeys } from "./credential_env.ts";
 * const env = (n: string) =>
 *   ({ AWS_PROFILE: "minio", AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "s" })[n];
 * assert.deepEqual(environmentKeys(env), { accessKeyId: "AKID", secretAccessKey: "s" });
 * assert.equal(environmentKeys((n) => ({ AWS_ACCESS_KEY_ID: "AKID" })[n]), undefined);
 * ```
 */
export function environmentKeys(
  env: EnvReader,
): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env("AWS_SESSION_TOKEN");
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/**
 * What is wrong with the static keys in the environment: an
 * `AWS_ACCESS_KEY_ID` without `AWS_SECRET_ACCESS_KEY` (the aws CLI refuses
 * it, "Partial credentials found in env", rather than go on to a profile's
 * keys, which the AWS SDK's chain signed with without a word), or, both set
 * (see {@linkcode environmentKeys}), a line break, a tab or another
 * control character in one of them, a space at either end, or (in the
 * access key ID or session token, which go in a header) a character that is
 * not ASCII. A value read with `$(cat key.txt)` from a file with Windows
 * line ends keeps its CR: the request then failed as if the store could not
 * be reached (the header cannot be sent), and the asset cache served a stale
 * copy with a warning; a CR in the secret key signed every request wrong.
 * `undefined` when the keys are fine, or not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentKeysProblem } from "./credential_env.ts";
 * const env = (secret: string) => (n: string) =>
 *   ({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: secret })[n];
 * assert.match(environmentKeysProblem(env("s3cr3t\r"))!, /AWS_SECRET_ACCESS_KEY ends in a carriage return/);
 * assert.equal(environmentKeysProblem(env("s3cr3t")), undefined);
 * ```
 */
export function environmentKeysProblem(env: EnvReader): string | undefined {
  const id = env("AWS_ACCESS_KEY_ID");
  const secret = env("AWS_SECRET_ACCESS_KEY");
  if (id && !secret) return partialKeys(env);
  if (!id || !secret) return undefined;
  const values: [string, string | undefined, boolean][] = [
    ["AWS_ACCESS_KEY_ID", id, true],
    ["AWS_SECRET_ACCESS_KEY", secret, false],
    ["AWS_SESSION_TOKEN", env("AWS_SESSION_TOKEN"), true],
  ];
  for (const [name, value, inHeader] of values) {
    if (!value) continue;
    const bad = badCharacter(value, inHeader);
    if (bad !== undefined) {
      return `${name} ${bad}, which no AWS key holds (a value read with $(cat FILE) from a ` +
        `file with Windows line ends, or pasted, keeps it): set it without`;
    }
  }
  return undefined;
}

/**
 * Everything the environment says about why the SDK's chain found no
 * credentials, naming the variables and files: one key without the other, an `AWS_WEB_IDENTITY_TOKEN_FILE` that cannot be read
 * or without `AWS_ROLE_ARN`, a container credentials endpoint
 * (`AWS_CONTAINER_CREDENTIALS_FULL_URI` / `_RELATIVE_URI`) whose token
 * (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, `AWS_CONTAINER_AUTHORIZATION_TOKEN`)
 * cannot be read or holds a line break, else that endpoint itself. Empty when
 * none of these is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentCredentialsHint } from "./credential_env.ts";
 * const partial = (n: string) => ({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" })[n];
 * assert.match(environmentCredentialsHint(partial), /AWS_SECRET_ACCESS_KEY is not/);
 * const token = (n: string) =>
 *   ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c", AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/nonexistent/t" })[n];
 * assert.match(environmentCredentialsHint(token), /\/nonexistent\/t \(AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\) does not exist/);
 * assert.equal(environmentCredentialsHint(() => undefined), "");
 * ```
 */
export function environmentCredentialsHint(env: EnvReader): string {
  const problems = [partialKeys(env), webIdentityProblem(env), containerProblem(env)]
    .filter((p) => p !== undefined);
  return problems.length === 0 ? "" : ` (${problems.join("; ")})`;
}

// One static key without the other. An access key ID alone is refused (see
// environmentKeysProblem); a secret alone is passed over, as the aws CLI
// passes it over.
function partialKeys(env: EnvReader): string | undefined {
  const id = env("AWS_ACCESS_KEY_ID");
  const secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id === !secret) return undefined;
  return id
    ? `AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not (the aws CLI: "Partial ` +
      `credentials found in env"): set both, or unset AWS_ACCESS_KEY_ID to use a profile's keys`
    : `AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not, so the environment's keys ` +
      `were not used`;
}

function webIdentityProblem(env: EnvReader): string | undefined {
  const file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!file) return undefined;
  const unreadable = tokenFileProblem(file, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (unreadable !== undefined) return unreadable;
  if (!env("AWS_ROLE_ARN")) {
    return `AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: the web identity token ` +
      `is exchanged for the credentials of that role`;
  }
  return undefined;
}

function containerProblem(env: EnvReader): string | undefined {
  const relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative && !full) return undefined;
  const tokenFile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  // The file wins over the variable, as in the SDK.
  if (tokenFile) {
    const unreadable = tokenFileProblem(tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (unreadable !== undefined) return unreadable;
    const text = new TextDecoder().decode(readSmallFileSync(tokenFile, MAX_TOKEN_FILE_BYTES));
    const broken = lineBreakIn(text);
    if (broken !== undefined) {
      return `the token in ${tokenFile} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) ${broken}, ` +
        `which no HTTP header can carry (the aws CLI: "Auth token value is not a legal header ` +
        `value"): write the file without it (printf '%s' "$TOKEN" > FILE, not echo)`;
    }
  } else if (token) {
    const broken = lineBreakIn(token);
    if (broken !== undefined) {
      return `AWS_CONTAINER_AUTHORIZATION_TOKEN ${broken}, which no HTTP header can carry (the ` +
        `aws CLI: "Auth token value is not a legal header value"): set it without`;
    }
  }
  const [variable, url] = relative
    ? ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", `http://169.254.170.2${relative}`]
    : ["AWS_CONTAINER_CREDENTIALS_FULL_URI", full!];
  return `the container credentials endpoint ${redactUrl(url)} (${variable}) gave none: it ` +
    `could not be reached, refused the authorization token, or is an http:// address the SDK ` +
    `does not ask (only loopback, ECS and EKS ones)`;
}

// Why `file` (named by `variable`) cannot be read, or undefined when it can.
function tokenFileProblem(file: string, variable: string): string | undefined {
  try {
    readSmallFileSync(file, MAX_TOKEN_FILE_BYTES);
    return undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return `${file} (${variable}) does not exist`;
    if (e instanceof Deno.errors.PermissionDenied) {
      return `${file} (${variable}) cannot be read (permission denied)`;
    }
    return `${file} (${variable}) is ${(e as Error).message}`;
  }
}

// Where `text` holds a CR or LF ("ends in a line feed (LF)"), or undefined.
function lineBreakIn(text: string): string | undefined {
  const at = text.search(/[\r\n]/);
  if (at < 0) return undefined;
  const what = text[at] === "\r" ? "a carriage return (CR)" : "a line feed (LF)";
  return /^[\r\n]+$/.test(text.slice(at)) ? `ends in ${what}` : `holds ${what}`;
}

// What is wrong with a key's characters ("ends in a line feed (LF)"), or undefined.
function badCharacter(value: string, inHeader: boolean): string | undefined {
  if (/^\s/.test(value) && !/^[\r\n]/.test(value)) return "starts with white space";
  const broken = lineBreakIn(value);
  if (broken !== undefined) return broken;
  if (/\s$/.test(value)) return "ends in white space";
  // deno-lint-ignore no-control-regex
  const control = /[\x00-\x1f\x7f]/.exec(value);
  if (control !== null) {
    const code = control[0].charCodeAt(0);
    return code === 9
      ? "holds a tab"
      : `holds the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  if (inHeader && /[^\x20-\x7e]/.test(value)) return "holds a character that is not ASCII";
  return undefined;
}
