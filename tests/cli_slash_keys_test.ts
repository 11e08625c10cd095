/**
 * The real `vc` process against a bucket where another tool (baiji-pod, the
 * aws CLI) stored versions under keys with a leading `/`: `versions`,
 * `ls-remote`, `cat`, `path`, `sync`, `verify`, `prefill`, `update` and
 * `cache ls` all see them. Always on the in-process fake S3 server, and also
 * on a third-party S3 implementation when `VC_TEST_S3_ENDPOINT` is set
 * (`deno task test:compat` points it at moto_server).
 */
import { join } from "node:path";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { freshBucket } from "./s3_test_client.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
}

async function workflow(endpoint: string, bucket: string): Promise<void> {
  const s3 = client(endpoint);
  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [])
      .map((o) => o.Key).sort();
  try {
    // Another tool wrote these, `/` and all, under the team's prefix.
    const written: Array<[string, string]> = [
      ["assets//data/t.1.0.0.csv", "slash 1.0.0\n"],
      ["assets//data/t.1.1.0.csv", "slash 1.1.0\n"],
      ["assets/data/t.1.1.0.csv", "canonical 1.1.0\n"],
    ];
    for (const [key, body] of written) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    assertEquals((await keys()).length, 3);

    await withWorkspace(async (dir, vc) => {
      const env = {
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: endpoint,
        VC_BUCKET: `s3://${bucket}/assets`,
      };
      const run = async (args: string[], extra: Record<string, string> = {}) =>
        ok(await vc(args, { ...env, ...extra }), `vc ${args.join(" ")}`);
      // baiji-pod's manifest pins the version only the / key holds.
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/data/t.csv": "1.0.0"}');

      assertEquals((await run(["versions", "/data/t.csv"])).stdout, "1.0.0\n1.1.0\n");
      assertEquals(JSON.parse((await run(["ls-remote", "--json"])).stdout), [
        { path: "/data/t.csv", versions: ["1.0.0", "1.1.0"] },
      ]);
      assertEquals((await run(["cat", "/data/t.csv"])).stdout, "slash 1.0.0\n");
      // path-remote names the object cat/path read: the / key for 1.0.0.
      assertEquals(
        (await run(["path-remote", "/data/t.csv"])).stdout,
        `s3://${bucket}/assets//data/t.1.0.0.csv\n`,
      );
      // Both keys hold 1.1.0: the canonical one is read.
      assertEquals((await run(["cat", "/data/t.csv", "1.1.0"])).stdout, "canonical 1.1.0\n");
      const local = (await run(["path", "/data/t.csv"])).stdout.trim();
      assertStringIncludes(local, join(dir, "cache"));
      assertStringIncludes(local, "/assets/%_/data/t.1.0.0.csv");
      assertEquals(await Deno.readTextFile(local), "slash 1.0.0\n");
      const cached = JSON.parse((await run(["cache", "ls", "--json"])).stdout) as Array<
        { uri: string }
      >;
      assertEquals(
        cached.map((e) => e.uri).sort(),
        [`s3://${bucket}/assets//data/t.1.0.0.csv`, `s3://${bucket}/assets/data/t.1.1.0.csv`],
      );

      await run(["sync", join(dir, "out")]);
      assertEquals(await Deno.readTextFile(join(dir, "out", "data", "t.csv")), "slash 1.0.0\n");
      assertStringIncludes((await run(["verify"])).stdout, "ok");
      const cold = JSON.parse(
        (await run(["prefill", "--json"], { VC_CACHE_DIR: join(dir, "ci") })).stdout,
      );
      assertEquals([cold.total, cold.fetched, cold.failed], [1, 1, []]);

      const missing = await vc(["cat", "/data/t.csv", "9.0.0"], env);
      assertEquals(missing.code, 1, missing.stderr);
      assertStringIncludes(missing.stderr, `nor s3://${bucket}/assets//data/t.9.0.0.csv`);

      // Publishing sees the / versions and writes the canonical key.
      await Deno.writeTextFile(join(dir, "t.csv"), "new\n");
      const updated = JSON.parse(
        (await run(["update", "/data/t.csv", "t.csv", "--patch", "--json"])).stdout,
      );
      assertEquals([updated.from, updated.to], ["1.1.0", "1.1.1"]);
      assertEquals((await run(["cat", "/data/t.csv"])).stdout, "new\n");
    });
    assertEquals(await keys(), [
      "assets//data/t.1.0.0.csv",
      "assets//data/t.1.1.0.csv",
      "assets/data/t.1.1.0.csv",
      "assets/data/t.1.1.1.csv",
    ]);
  } finally {
    s3.destroy();
  }
}

Deno.test("vc process on s3:// (fake S3): versions another tool wrote under / keys", async () => {
  await using s3 = await startFakeS3({ buckets: ["slash"] });
  await workflow(s3.url, "slash");
});

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
Deno.test({
  name: `vc process on s3:// (${
    endpoint ?? "VC_TEST_S3_ENDPOINT unset"
  }): versions another tool wrote under / keys`,
  ignore: endpoint === undefined,
  async fn() {
    await workflow(endpoint!, await freshBucket(endpoint!, "vc-slash"));
  },
});
