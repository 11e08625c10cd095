/**
 * The AWS shared files (`config` and `credentials`) a test writes, and the
 * environment that names them, for the tests of how vc reads profiles.
 */
import { join } from "node:path";

/** Two shared files written in a test's directory, and the variables naming them. */
export interface SharedFiles {
  config: string;
  credentials: string;
  /**
   * `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE` when a
   * profile was given, and no instance metadata (no network is looked at).
   */
  env: Record<string, string>;
}

/** Writes `config` and `credentials` text into `dir` (as `aws_config` and `aws_credentials`). */
export async function writeSharedFiles(
  dir: string,
  text: { config: string; credentials: string; profile?: string },
): Promise<SharedFiles> {
  const config = join(dir, "aws_config");
  const credentials = join(dir, "aws_credentials");
  await Deno.writeTextFile(config, text.config);
  await Deno.writeTextFile(credentials, text.credentials);
  return {
    config,
    credentials,
    env: {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      ...(text.profile === undefined ? {} : { AWS_PROFILE: text.profile }),
      AWS_EC2_METADATA_DISABLED: "true",
    },
  };
}

/** The `(name) => value` lookup `credentialHint` takes, over `env` with `AWS_PROFILE` set to `profile`. */
export function envLookup(
  env: Record<string, string>,
  profile: string,
): (name: string) => string | undefined {
  const all: Record<string, string> = { ...env, AWS_PROFILE: profile };
  return (name) => all[name];
}

/** A `[default]` credentials file's text: `key`, secret `secret`, and `token` if given. */
export function credentialsText(key: string, token?: string): string {
  return `[default]\naws_access_key_id = ${key}\naws_secret_access_key = secret\n` +
    (token === undefined ? "" : `aws_session_token = ${token}\n`);
}

/**
 * The environment in which the only credentials are those in the shared
 * credentials file `file`: no config file (`dir/no_config`), no profile, no
 * keys in the environment, no instance metadata.
 */
export function onlyCredentialsFileEnv(dir: string, file: string): Record<string, string> {
  return {
    AWS_CONFIG_FILE: join(dir, "no_config"),
    AWS_SHARED_CREDENTIALS_FILE: file,
    AWS_PROFILE: "",
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SESSION_TOKEN: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** The access key id a request was signed with (its Authorization header's `Credential=`). */
export function signedKey(req: Request): string | undefined {
  return /Credential=([^/]+)\//.exec(req.headers.get("authorization") ?? "")?.[1];
}
