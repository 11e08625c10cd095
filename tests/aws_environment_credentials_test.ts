/**
 * Credentials the environment gives that cannot work, named by the
 * variable (and the file it names), never by a value:
 *
 * - a key with a CR or LF (`$(cat key.txt)` of a file with Windows line
 *   ends): the header could not be sent, which read as an unreachable store,
 *   and the asset cache served its stale copy with a warning;
 * - one key without the other, a web identity or container token file that
 *   is not there, a container token with a trailing newline (`echo TOKEN >
 *   FILE`): the SDK's chain said only "Could not load credentials from any
 *   providers" or a bare "ENOENT ... open '/path'".
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { environmentCredentialsHint } from "../src/store/credential_env.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test("a CR at the end of AWS_ACCESS_KEY_ID fails naming it, not served stale as unreachable", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k.csv", "a,b\n");
  const dir = await Deno.makeTempDir({ prefix: "vc-env-keys-" });
  const env = (id: string) => ({
    AWS_ENDPOINT_URL: fake.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: id,
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
  });
  const warnings: string[] = [];
  const open = (id: string) =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      timeout: 0,
      env: env(id),
      warn: (m) => warnings.push(m),
    });
  try {
    const warm = open("AKIDWINDOWS");
    try {
      await warm.cache("s3://b/k.csv");
    } finally {
      await warm.close();
    }
    const cache = open("AKIDWINDOWS\r");
    try {
      const error = await assertRejects(() => cache.cache("s3://b/k.csv"), AccessDeniedError);
      assertStringIncludes(error.message, "AWS_ACCESS_KEY_ID ends in a carriage return");
      assert(!error.message.includes("AKIDWINDOWS"), error.message);
      assertEquals(warnings, []);
    } finally {
      await cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a container token file ending in a newline is named with its variable", async () => {
  // A container credentials endpoint that wants the token without newline.
  const token = "container-token";
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      req.headers.get("authorization") === token
        ? Response.json({
          AccessKeyId: "test",
          SecretAccessKey: "test",
          Token: "session",
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        })
        : new Response("denied", { status: 401 }),
  );
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "k.csv", "a,b\n");
  await withWorkspace(async (dir, vc) => {
    const file = join(dir, "token");
    const env = {
      AWS_ENDPOINT_URL: fake.url,
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${server.addr.port}/creds`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file,
    };
    await Deno.writeTextFile(file, `${token}\n`);
    const run = await vc(["cache", "get", "s3://b/k.csv"], env);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(
      run.stderr,
      `the token in ${file} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) ends in a line feed (LF)`,
    );
    // The same token without it works: the endpoint is a good one.
    await Deno.writeTextFile(file, token);
    const fixed = await vc(["cache", "get", "s3://b/k.csv"], env);
    assertEquals(fixed.code, 0, fixed.stderr);
  });
});

Deno.test("the environment's credentials hint names the variable and file", () => {
  const hint = (vars: Record<string, string>) => environmentCredentialsHint((n) => vars[n]);
  assertStringIncludes(
    hint({ AWS_ACCESS_KEY_ID: "AKID" }),
    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
  );
  // Environment keys come before a named profile's: said with one too.
  assertStringIncludes(
    hint({ AWS_SECRET_ACCESS_KEY: "s", AWS_PROFILE: "p" }),
    "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
  );
  assertStringIncludes(
    hint({ AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/web", AWS_ROLE_ARN: "arn:r" }),
    "/nonexistent/web (AWS_WEB_IDENTITY_TOKEN_FILE) does not exist",
  );
  const dir = Deno.makeTempDirSync({ prefix: "vc-env-hint-" });
  try {
    assertStringIncludes(
      hint({
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: dir,
      }),
      `${dir} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is a directory`,
    );
    assertStringIncludes(
      hint({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials" }),
      "http://169.254.170.2/v2/credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) gave none",
    );
    assertStringIncludes(
      hint({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/c",
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "tok\r\n",
      }),
      "AWS_CONTAINER_AUTHORIZATION_TOKEN ends in a carriage return (CR)",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assertEquals(hint({}), "");
});
