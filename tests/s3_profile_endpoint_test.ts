/**
 * A profile's `endpoint_url` in `~/.aws/config` is where the aws CLI and the
 * AWS SDK send that profile's requests. vc ignored it (its hand-signed
 * requests, and then the SDK too, went to AWS), so `AWS_PROFILE=minio aws s3
 * ls` listed a bucket `AWS_PROFILE=minio vc cache get` could not reach, and
 * the profile's keys were sent to AWS. Now every request of a store (the
 * hand-signed GET, the SDK's copy) and the cache's namespace follow it, and
 * `vc config` names it. Run in child processes so the test controls the
 * environment and the AWS files the SDK reads.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { DENO_DIR, ok, withWorkspace } from "./cli_process.ts";

const dec = new TextDecoder();

function endpointRow(stdout: string): { value: unknown; source: string } | undefined {
  return (JSON.parse(stdout) as Array<{ name: string; value: unknown; source: string }>)
    .find((r) => r.name === "s3Endpoint");
}

async function writeAwsFiles(home: string, endpoint: string): Promise<void> {
  await Deno.mkdir(join(home, ".aws"), { recursive: true });
  await Deno.writeTextFile(
    join(home, ".aws", "config"),
    `[default]\nregion = us-east-1\n\n[profile lab]\nregion = us-east-1\nendpoint_url = ${endpoint}\n`,
  );
  await Deno.writeTextFile(
    join(home, ".aws", "credentials"),
    "[lab]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n",
  );
}

Deno.test("cli: AWS_PROFILE's endpoint_url is the S3 endpoint, as for the aws CLI", async () => {
  await using s3 = await startFakeS3({ buckets: ["lab"] });
  await s3.putObject("lab", "data/x.txt", "hello");
  await withWorkspace(async (dir, vc) => {
    await writeAwsFiles(join(dir, "home"), s3.url);
    const env = { AWS_PROFILE: "lab", AWS_EC2_METADATA_DISABLED: "true" };
    const config = ok(await vc(["config", "--json"], env), "vc config");
    const row = endpointRow(config.stdout);
    assertEquals(row?.value, s3.url);
    assertStringIncludes(row?.source ?? "", `AWS profile "lab"`);
    const get = ok(await vc(["cache", "get", "s3://lab/data/x.txt"], env), "vc cache get");
    const port = new URL(s3.url).port;
    assertEquals(get.stdout.trim(), join(dir, "cache", `s3@127.0.0.1_${port}`, "lab/data/x.txt"));
    // The environment still wins over the profile, as in the aws CLI.
    const over = await vc(["config", "--json"], { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
    assertEquals(endpointRow(over.stdout)?.value, "http://127.0.0.1:1");
  });
});

Deno.test("s3 store: the SDK's requests and the hand-signed ones both go to the profile's endpoint_url", async () => {
  await using s3 = await startFakeS3({ buckets: ["bkt"] });
  await s3.putObject("bkt", "a", "abc");
  const dir = await Deno.makeTempDir({ prefix: "vc_s3_profile_endpoint_" });
  try {
    await writeAwsFiles(dir, s3.url);
    await Deno.writeTextFile(
      join(dir, "child.ts"),
      `import { S3Store } from ${
        JSON.stringify(new URL("../src/store/s3.ts", import.meta.url).href)
      };
const store = new S3Store({ bucket: "bkt", maxAttempts: 1, requestTimeoutMs: 5000 });
try {
  await store.copy("a", "b");
  console.log(await new Response((await store.get("b")).body).text());
} finally {
  await store.close();
}
`,
    );
    const env: Record<string, string> = {};
    for (const name of ["PATH", "NO_COLOR"]) {
      const v = Deno.env.get(name);
      if (v !== undefined) env[name] = v;
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        join(dir, "child.ts"),
      ],
      clearEnv: true,
      env: {
        ...env,
        DENO_DIR,
        HOME: dir,
        AWS_PROFILE: "lab",
        AWS_CONFIG_FILE: join(dir, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, ".aws", "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    assertEquals(out.code, 0, dec.decode(out.stderr));
    assertEquals(dec.decode(out.stdout).trim(), "abc");
    assert(s3.stats.CopyObject === 1 && s3.stats.GetObject >= 1, JSON.stringify(s3.stats));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
