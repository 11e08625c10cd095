/**
 * `vc lock --check` downloads every locked version. A download that failed
 * for any reason other than a mismatch or a missing object (a store error
 * after its retries, a refused read, a lost connection) threw out of the
 * whole check: the entries already checked went unreported and the rest were
 * never looked at, while `vc lock`, `vc sync` and `vc prefill` attempt every
 * entry. Such an entry is now reported `failed`, with its error, and the
 * others are checked.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, testAwsEnv, withWorkspace } from "./cli_process.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { checkLock, fillLock } from "../src/versioned/lock_ops.ts";
import { StoreError } from "../src/errors.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("checkLock reports an entry whose download fails and checks the others", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using dir = await tempDir();
  const manifest = join(dir.path, "versioned_assets.json");
  await Deno.writeTextFile(manifest, '{"/a.csv": "1.0.0", "/b.csv": "1.0.0", "/c.csv": "1.0.0"}');
  for (const name of ["a", "b", "c"]) {
    await s3.putObject("assets", `${name}.1.0.0.csv`, new TextEncoder().encode(`${name}\n`));
  }
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
    store: testS3Options(s3),
  });
  await using vc = new VersionedCache({
    manifest,
    bucket: "s3://assets",
    cache,
    store: testS3Options(s3),
    frozen: false,
  });
  await fillLock(vc);
  s3.setFaults({ errorRate: 1, errorKind: "internal", match: (t) => t.key === "b.1.0.0.csv" });
  const results = await checkLock(vc);
  assertEquals(results.map((r) => [r.path, r.status]), [
    ["/a.csv", "ok"],
    ["/b.csv", "failed"],
    ["/c.csv", "ok"],
  ]);
  const failed = results[1]!;
  assert(failed.error instanceof StoreError, String(failed.error));
  assert(String(failed.error).includes("b.1.0.0.csv"), String(failed.error));
});

Deno.test("vc lock --check lists an entry it could not check, with its error, and exits 1", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      '{"/a.csv": "1.0.0", "/b.csv": "1.0.0"}',
    );
    for (const name of ["a", "b"]) {
      await s3.putObject("assets", `${name}.1.0.0.csv`, new TextEncoder().encode(`${name}\n`));
    }
    const env = {
      ...testAwsEnv(s3.url),
      AWS_MAX_ATTEMPTS: "1",
      VC_BUCKET: "s3://assets",
    };
    ok(await vc(["lock"], env), "vc lock");
    s3.setFaults({ errorRate: 1, errorKind: "internal", match: (t) => t.key === "b.1.0.0.csv" });
    const run = await vc(["lock", "--check", "--json"], env);
    assertEquals(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assertEquals(report[0], { path: "/a.csv", version: "1.0.0", status: "ok" });
    assertEquals(report[1].status, "failed");
    assertEquals(report[1].errorName, "StoreError");
    assertStringIncludes(report[1].error, "b.1.0.0.csv");
    assertStringIncludes(run.stderr, "1 of 2 manifest entries differs from");
    assertStringIncludes(run.stderr, "or could not be checked");
  });
});
