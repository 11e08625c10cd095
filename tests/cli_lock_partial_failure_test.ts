/**
 * `vc lock` over a manifest where some entries cannot be locked (a version
 * missing from the bucket, a download that keeps arriving corrupted): as
 * `vc sync` and `vc prefill` do, it tries every entry, writes the ones it
 * could lock, names each one it could not (path, version, why) and exits 1;
 * a rerun once the bucket is fixed adds the rest.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { sha256Hex } from "../src/hash.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError, VcError } from "../src/errors.ts";
import { fillLock, fillLockSettled } from "../src/versioned/lock_ops.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { ok, testAwsEnv, withWorkspace } from "./cli_process.ts";

Deno.test("vc lock locks every entry it can and names each one it cannot", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await s3.putObject("assets", "good.1.0.0.csv", "good\n");
  await s3.putObject("assets", "bad.1.0.0.csv", "bytes of bad\n");
  // Every GET of bad.1.0.0.csv arrives with a flipped byte, retries included.
  s3.setFaults({ corruptRate: 1, match: (t) => t.op === "GetObject" && t.key === "bad.1.0.0.csv" });
  await withWorkspace(async (dir, vc) => {
    const env = { ...testAwsEnv(s3.url), VC_BUCKET: "s3://assets" };
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      JSON.stringify({ "/bad.csv": "1.0.0", "/gone.csv": "2.0.0", "/good.csv": "1.0.0" }),
    );
    const lockPath = join(dir, "versioned_assets.lock.json");

    const first = await vc(["lock"], env);
    assertEquals(first.code, 1, first.stderr);
    // The good entry is locked, alone.
    assertEquals(
      await Deno.readTextFile(lockPath),
      `{\n  "/good.csv@1.0.0": {"size": 5, "sha256": "${sha256Hex("good\n")}"}\n}\n`,
    );
    // One line each for the two it could not lock, naming path, version and why.
    const failures = first.stderr.split("\n").filter((l) => l.startsWith("vc: lock failed: "));
    assertEquals(failures.length, 2, first.stderr);
    assertStringIncludes(failures[0]!, "/bad.csv@1.0.0");
    assertStringIncludes(failures[1]!, "/gone.csv@2.0.0");
    assertStringIncludes(failures[1]!, "does not exist");
    assertStringIncludes(first.stderr, "2 of 3 manifest entries could not be locked");

    // --json reports them too, with the added one.
    const json = await vc(["lock", "--json"], env);
    assertEquals(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout) as {
      entries: { path: string; status: string; error?: string; errorName?: string }[];
    };
    assertEquals(report.entries.map((e) => [e.path, e.status]), [
      ["/bad.csv", "failed"],
      ["/gone.csv", "failed"],
      ["/good.csv", "locked"],
    ]);
    assertEquals(report.entries[1]?.errorName, "NotFoundError");
    assert(report.entries[0]?.error !== undefined);

    // The bucket fixed, a rerun adds the rest and succeeds.
    s3.clearFaults();
    await s3.putObject("assets", "gone.2.0.0.csv", "back\n");
    const rerun = ok(await vc(["lock"], env), "vc lock after the fix");
    assertStringIncludes(rerun.stdout, "2 added");
    assertEquals(
      await Deno.readTextFile(lockPath),
      `{\n  "/bad.csv@1.0.0": {"size": 13, "sha256": "${sha256Hex("bytes of bad\n")}"},\n` +
        `  "/gone.csv@2.0.0": {"size": 5, "sha256": "${sha256Hex("back\n")}"},\n` +
        `  "/good.csv@1.0.0": {"size": 5, "sha256": "${sha256Hex("good\n")}"}\n}\n`,
    );
  });
});

Deno.test("fillLock writes the entries it could read before it throws the others", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_lock_partial_" });
  try {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "bucket", "a.1.0.0.csv"), "a");
    const manifest = join(dir, "m.json");
    const lockFile = join(dir, "m.lock.json");
    const open = () =>
      new VersionedCache({
        manifest,
        bucket: join(dir, "bucket"),
        cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false }),
      });
    // One entry it cannot read: thrown as itself, the other one locked.
    await Deno.writeTextFile(manifest, '{"/a.csv": "1.0.0", "/gone.csv": "1.0.0"}');
    {
      await using vc = open();
      await assertRejects(() => fillLock(vc), NotFoundError, "/gone.csv");
    }
    assertEquals(Object.keys(JSON.parse(await Deno.readTextFile(lockFile))), ["/a.csv@1.0.0"]);
    // Several: one error naming each, the readable ones still locked.
    await Deno.writeTextFile(join(dir, "bucket", "b.1.0.0.csv"), "b");
    await Deno.writeTextFile(
      manifest,
      '{"/a.csv": "1.0.0", "/b.csv": "1.0.0", "/gone.csv": "1.0.0", "/lost.csv": "2.0.0"}',
    );
    {
      await using vc = open();
      const error = await assertRejects(() => fillLock(vc), VcError);
      assertStringIncludes(error.message, "2 of 4 manifest entries could not be locked");
      assertStringIncludes(error.message, "/gone.csv@1.0.0");
      assertStringIncludes(error.message, "/lost.csv@2.0.0");
      const statuses = (await fillLockSettled(vc)).map((r) => r.status);
      assertEquals(statuses, ["locked", "locked", "failed", "failed"]);
    }
    assertEquals(Object.keys(JSON.parse(await Deno.readTextFile(lockFile))), [
      "/a.csv@1.0.0",
      "/b.csv@1.0.0",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
