/**
 * Every versioned subcommand, as the real `vc` process, against an s3://
 * bucket: always on the in-process fake S3 server, and also on a third-party
 * S3 implementation when `VC_TEST_S3_ENDPOINT` is set (`deno task
 * test:compat` points it at moto_server), so the fake is checked against the
 * real thing end to end, not only at the store level.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { freshBucket } from "./s3_test_client.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

async function workflow(endpoint: string, bucket: string): Promise<void> {
  await withWorkspace(async (dir, vc) => {
    const env = {
      ...CREDENTIALS,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: endpoint,
      VC_BUCKET: `s3://${bucket}/assets`,
    };
    const run = async (args: string[]) => ok(await vc(args, env), `vc ${args.join(" ")}`);
    await Deno.writeTextFile(join(dir, "t.csv"), "a,b\n1,2\n");
    await Deno.writeTextFile(join(dir, "w.bin"), "weights-1");

    assertStringIncludes((await run(["add", "/data/t.csv", "t.csv"])).stdout, "1.0.0");
    await run(["add", "/models/w.bin", "w.bin", "--version", "0.3.0"]);
    await Deno.writeTextFile(join(dir, "t.csv"), "a,b\n3,4\n");
    assertEquals(
      JSON.parse((await run(["update", "/data/t.csv", "t.csv", "--minor", "--json"])).stdout).to,
      "1.1.0",
    );
    await Deno.writeTextFile(join(dir, "t.csv"), "a,b\n5,6\n");
    await run(["update", "/data/t.csv", "t.csv", "--min-version", "2"]);

    // A second publisher of the same version loses cleanly: create-only writes.
    const clash = await vc(["update", "/data/t.csv", "t.csv", "--version", "2.0.0"], env);
    assertEquals(clash.code, 1, clash.stderr);
    assertEquals(
      await Deno.readTextFile(join(dir, "versioned_assets.json")),
      '{\n    "/data/t.csv": "2.0.0",\n    "/models/w.bin": "0.3.0"\n}\n',
    );

    assertEquals((await run(["versions", "/data/t.csv"])).stdout, "1.0.0\n1.1.0\n2.0.0\n");
    assertEquals((await run(["cat", "/data/t.csv"])).stdout, "a,b\n5,6\n");
    assertEquals((await run(["cat", "/data/t.csv", "1.0.0"])).stdout, "a,b\n1,2\n");
    const local = (await run(["path", "/data/t.csv", "1.1.0"])).stdout.trim();
    assertEquals(await Deno.readTextFile(local), "a,b\n3,4\n");
    assertEquals(
      (await run(["path-remote", "/data/t.csv"])).stdout.trim(),
      `s3://${bucket}/assets/data/t.2.0.0.csv`,
    );
    await run(["get", "/models/w.bin", join(dir, "out", "w.bin")]);
    assertEquals(await Deno.readTextFile(join(dir, "out", "w.bin")), "weights-1");
    assertStringIncludes((await run(["ls"])).stdout, "/models/w.bin");
    const remote = JSON.parse((await run(["ls-remote", "--json"])).stdout);
    assertEquals(JSON.stringify(remote).includes("2.0.0"), true, JSON.stringify(remote));
    await run(["sync", join(dir, "synced")]);
    assertEquals(await Deno.readTextFile(join(dir, "synced", "data", "t.csv")), "a,b\n5,6\n");
    assertStringIncludes((await run(["verify"])).stdout, "ok");

    // CI's view: an empty cache, then a warm one.
    const cold = JSON.parse(
      ok(await vc(["prefill", "--json"], { ...env, VC_CACHE_DIR: join(dir, "ci") }), "prefill")
        .stdout,
    );
    assertEquals([cold.total, cold.fetched, cold.failed], [2, 2, []]);
    const warm = JSON.parse(
      ok(await vc(["prefill", "--json"], { ...env, VC_CACHE_DIR: join(dir, "ci") }), "prefill")
        .stdout,
    );
    assertEquals([warm.fetched, warm.alreadyCached], [0, 2]);

    const missing = await vc(["path", "/data/t.csv", "9.9.9"], env);
    assertEquals(missing.code, 1);
    assert(missing.stderr.includes("9.9.9"), missing.stderr);
  });
}

Deno.test("cli workflow on s3:// (fake S3): every versioned subcommand", async () => {
  await using s3 = await startFakeS3({ buckets: ["wf"] });
  await workflow(s3.url, "wf");
});

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
Deno.test({
  name: `cli workflow on s3:// (${
    endpoint ?? "VC_TEST_S3_ENDPOINT unset"
  }): every versioned subcommand`,
  ignore: endpoint === undefined,
  async fn() {
    await workflow(endpoint!, await freshBucket(endpoint!, "vc-cli"));
  },
});
