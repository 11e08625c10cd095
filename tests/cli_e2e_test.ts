/**
 * End-to-end: the real `vc` process, run with exactly the release permission
 * flags (scripts/permissions.ts, which end with --no-prompt), so any
 * permission the CLI or the AWS SDK needs but the release build lacks fails here.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, testAwsEnv, withWorkspace } from "./cli_process.ts";

Deno.test("e2e: add -> update --patch -> path -> cat -> versions -> ls -> prefill on a file:// store", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "x,y\n1,2\n");
    const add = ok(await vc(["add", "/data/a.csv", "a.csv"]), "add");
    assertStringIncludes(add.stdout, "added /data/a.csv 1.0.0");
    await Deno.writeTextFile(join(dir, "a.csv"), "x,y\n3,4\n");
    const update = ok(await vc(["update", "/data/a.csv", "a.csv", "--patch", "--json"]), "update");
    assertEquals(JSON.parse(update.stdout).to, "1.0.1");
    assertEquals(
      await Deno.readTextFile(join(dir, "versioned_assets.json")),
      '{\n    "/data/a.csv": "1.0.1"\n}\n',
    );

    const path = ok(await vc(["path", "/data/a.csv"]), "path");
    const local = path.stdout.trim();
    assert(local.startsWith(join(dir, "cache")), local);
    assertEquals(await Deno.readTextFile(local), "x,y\n3,4\n");
    assertEquals(path.stderr, "");

    assertEquals(ok(await vc(["cat", "/data/a.csv", "1.0.0"]), "cat").stdout, "x,y\n1,2\n");
    assertEquals(ok(await vc(["versions", "/data/a.csv"]), "versions").stdout, "1.0.0\n1.0.1\n");
    assertEquals(ok(await vc(["ls"]), "ls").stdout, "/data/a.csv  1.0.1\n");

    const prefill = ok(await vc(["prefill", "--json"]), "prefill");
    const summary = JSON.parse(prefill.stdout);
    assertEquals([summary.total, summary.alreadyCached, summary.failed], [1, 1, []]);
    const task = ok(await vc(["prefill"]), "prefill");
    assertStringIncludes(task.stdout, "prefill: 1 item: 0 fetched, 1 already cached, 0 failed");
  });
});

Deno.test("e2e: exit codes and one-line errors from the real process", async () => {
  await withWorkspace(async (dir, vc) => {
    const usage = await vc(["updaet"]);
    assertEquals(usage.code, 2);
    assertStringIncludes(usage.stderr, 'vc: unknown command "updaet"\nvc: did you mean "update"?');

    const missing = await vc(["path", "/x.csv"]);
    assertEquals(missing.code, 1);
    assertEquals(missing.stderr.trimEnd().split("\n").length, 1, missing.stderr);
    assertStringIncludes(missing.stderr, join(dir, "versioned_assets.json"));

    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/x.csv": "1.0.0"}');
    const gone = await vc(["cat", "/x.csv"]);
    assertEquals(gone.code, 1);
    assertStringIncludes(gone.stderr, "1.0.0 of /x.csv does not exist");
    assertEquals(
      await Deno.readTextFile(join(dir, "versioned_assets.json")),
      '{"/x.csv": "1.0.0"}',
    );

    const version = ok(await vc(["--version"]), "--version");
    assertStringIncludes(version.stdout, "vc ");
  });
});

Deno.test("e2e: vc cache get s3:// against the fake S3 server", async () => {
  await using s3 = await startFakeS3({ buckets: ["e2e"] });
  await s3.putObject("e2e", "models/w.bin", "weights");
  await withWorkspace(async (_dir, vc) => {
    const env = testAwsEnv(s3.url);
    const get = ok(await vc(["cache", "get", "s3://e2e/models/w.bin"], env), "cache get");
    assertEquals(await Deno.readTextFile(get.stdout.trim()), "weights");
    // Revalidation (HEAD) and a missing object through the real process too.
    ok(await vc(["cache", "get", "s3://e2e/models/w.bin", "--timeout", "0"], env), "revalidate");
    const missing = await vc(["cache", "get", "s3://e2e/nope.bin"], env);
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, "s3://e2e/nope.bin");
  });
});

Deno.test("e2e: s3 bucket with profile credentials, publishing and a large parallel download", async () => {
  await using s3 = await startFakeS3({ buckets: ["e2e"] });
  // Above the parallel ranged-GET threshold, so that code path runs under the release permissions.
  const big = new Uint8Array(33 * 1024 * 1024).map((_, i) => i % 251);
  await s3.putObject("e2e", "big.bin", big);
  await withWorkspace(async (dir, vc) => {
    // Credentials and region from ~/.aws files, as on a developer's machine.
    await Deno.mkdir(join(dir, "home", ".aws"));
    await Deno.writeTextFile(
      join(dir, "home", ".aws", "credentials"),
      "[default]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    await Deno.writeTextFile(
      join(dir, "home", ".aws", "config"),
      "[default]\nregion = us-east-1\n",
    );
    const env = { AWS_ENDPOINT_URL: s3.url, VC_BUCKET: "s3://e2e/versioned" };

    await Deno.writeTextFile(join(dir, "m.txt"), "model");
    ok(await vc(["add", "/m.txt", "m.txt"], env), "add to s3");
    assertEquals(
      new TextDecoder().decode(await s3.getObject("e2e", "versioned/m.1.0.0.txt")),
      "model",
    );
    assertEquals(ok(await vc(["cat", "/m.txt"], env), "cat").stdout, "model");

    const get = ok(await vc(["cache", "get", "s3://e2e/big.bin"], env), "large get");
    const local = await Deno.readFile(get.stdout.trim());
    assertEquals(local.length, big.length);
    assert(local.every((b, i) => b === big[i]), "content matches");
  });
});
