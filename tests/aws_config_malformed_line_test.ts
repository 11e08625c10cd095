/**
 * A shared AWS file with a line neither reader takes as written (a section
 * header without its closing `]`, a setting before any header) is refused
 * naming the file and line, as the aws CLI refuses the file. vc skipped the
 * line as the AWS SDK does: the settings under an unclosed `[profile moto`
 * went to the section above it, so `AWS_PROFILE=moto` lost its endpoint
 * and vc's requests went to AWS, while `aws` failed on the file.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { resolveS3Settings } from "../src/store/s3_config.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";

async function withFiles(
  files: { config?: string; credentials?: string },
  run: (
    dir: string,
    env: (extra?: Record<string, string>) => (n: string) => string | undefined,
  ) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-aws-malformed-" });
  try {
    await Deno.writeTextFile(join(dir, "config"), files.config ?? "");
    await Deno.writeTextFile(join(dir, "credentials"), files.credentials ?? "");
    await run(dir, (extra = {}) => (n: string) =>
      ({
        AWS_CONFIG_FILE: join(dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
        ...extra,
      })[n]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const UNCLOSED = "[default]\nregion = us-east-1\n\n[profile moto\n" +
  "endpoint_url = http://127.0.0.1:9000\n";

Deno.test("AWS config: a section header without its closing ] is refused naming the file and line", async () => {
  await withFiles({ config: UNCLOSED }, (dir, env) => {
    const error = assertThrows(
      () => resolveS3Settings({}, env({ AWS_PROFILE: "moto" })),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `${join(dir, "config")}:4 (AWS_CONFIG_FILE)`);
    assertStringIncludes(error.message, "closing");
    // vc config's way: the endpoint row shows it, the other settings resolve.
    const reported: string[] = [];
    const settings = resolveS3Settings(
      {},
      env({ AWS_PROFILE: "moto" }),
      (_e, name) => reported.push(name),
    );
    assertEquals(reported, ["endpoint"]);
    assertEquals(settings.endpoint, undefined);
    // The default profile, which the SDK would hand moto's endpoint, too.
    assertThrows(() => resolveS3Settings({}, env()), InvalidInputError);
  });
});

Deno.test("AWS config: the asset cache refuses such a file before any entry is served", async () => {
  await withFiles({ config: UNCLOSED }, (dir, env) => {
    const error = assertThrows(
      () =>
        new AssetCache({
          cacheDir: join(dir, "cache"),
          configPath: false,
          env: env({ AWS_PROFILE: "moto" }),
          warn: () => {},
        }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `${join(dir, "config")}:4`);
  });
});

Deno.test("AWS credentials: a setting before any header is refused by the key's name, its value never shown", async () => {
  await withFiles(
    { credentials: "aws_secret_access_key = TOPSECRET\n[default]\naws_access_key_id = AK\n" },
    (dir, env) => {
      const error = assertThrows(
        () => new S3Store({ bucket: "b", env: env({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" }) }),
        InvalidInputError,
      );
      assertStringIncludes(error.message, `${join(dir, "credentials")}:1`);
      assertStringIncludes(error.message, '"aws_secret_access_key"');
      assert(!error.message.includes("TOPSECRET"), error.message);
    },
  );
});

Deno.test("AWS config: comments, quoted headers and nested blocks are no malformed lines", async () => {
  const config = "# top comment\n[default] ; note\nregion = eu-west-1 # [x\n" +
    '[profile "lab"]\ns3 =\n  addressing_style = path\nendpoint_url = http://127.0.0.1:9000\n';
  await withFiles({ config, credentials: "; keys\n[lab]\naws_access_key_id = AK\n" }, (_d, env) => {
    assertEquals(
      resolveS3Settings({}, env({ AWS_PROFILE: "lab" })).endpoint,
      "http://127.0.0.1:9000",
    );
    assertEquals(resolveS3Settings({}, env()).regionShown, "eu-west-1");
  });
});

Deno.test("AWS config: a line without '=' is refused naming the file and line, never its text", async () => {
  // The SDK skipped `endpoint_url http://...` (and botocore reads no such
  // setting either): vc's requests went to AWS without a word.
  const config = "[profile moto]\nregion = us-east-1\nendpoint_url http://127.0.0.1:9000\n";
  await withFiles({ config }, (dir, env) => {
    const error = assertThrows(
      () => resolveS3Settings({}, env({ AWS_PROFILE: "moto" })),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `${join(dir, "config")}:3 (AWS_CONFIG_FILE)`);
    assertStringIncludes(error.message, 'without "="');
    assert(!error.message.includes("127.0.0.1"), error.message);
  });
});

Deno.test("AWS config: a `key: value` line in the active profile is refused, another profile's is not", async () => {
  // botocore reads `endpoint_url: URL`, the AWS SDK skips it: `aws` went to
  // the endpoint, vc to AWS.
  const config = "[profile moto]\nregion = us-east-1\nendpoint_url: http://127.0.0.1:9000\n" +
    "[profile lab]\nendpoint_url = http://127.0.0.1:9001\n";
  await withFiles({ config }, (dir, env) => {
    const error = assertThrows(
      () => resolveS3Settings({}, env({ AWS_PROFILE: "moto" })),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `${join(dir, "config")}:3`);
    assertStringIncludes(error.message, 'write "endpoint_url = ..."');
    assertEquals(
      resolveS3Settings({}, env({ AWS_PROFILE: "lab" })).endpoint,
      "http://127.0.0.1:9001",
    );
  });
});

Deno.test("AWS credentials: a FIFO in place of the file fails naming it, not a hang", async () => {
  // The AWS SDK reads the shared files whole as it loads: a FIFO no one
  // writes to held every command for good without a word (the aws CLI skips
  // a file that is not a regular one).
  await withFiles({}, async (dir, env) => {
    const fifo = join(dir, "fifo");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert(made.success);
    await using fake = await startFakeS3({ buckets: ["b"] });
    await using store = new S3Store({
      bucket: "b",
      env: env({
        AWS_SHARED_CREDENTIALS_FILE: fifo,
        AWS_ENDPOINT_URL: fake.url,
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
      }),
      requestTimeoutMs: 5_000,
    });
    const error = await assertRejects(() => store.head("k"), InvalidInputError);
    assertStringIncludes(error.message, `${fifo} (AWS_SHARED_CREDENTIALS_FILE) is a FIFO`);
  });
});
