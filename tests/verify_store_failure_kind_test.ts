/**
 * `vc verify --json` named a store that failed on an entry only in the
 * entry's `problem` text, while `vc sync --json`, `vc prefill --json` and
 * `vc lock --json` give each failure's `errorName`: a CI job could not tell a
 * store to retry from content to fix. An entry whose check failed with an
 * error now carries its kind; a problem the check found (a missing version)
 * has none.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { ok, testAwsEnv, withWorkspace } from "./cli_process.ts";

Deno.test("vc verify --json gives the errorName of an entry the store failed on", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      '{"/a.csv": "1.0.0", "/b.csv": "1.0.0", "/gone.csv": "1.0.0"}',
    );
    for (const name of ["a", "b"]) {
      await s3.putObject("assets", `${name}.1.0.0.csv`, new TextEncoder().encode(`${name}\n`));
    }
    const env = {
      ...testAwsEnv(s3.url),
      VC_BUCKET: "s3://assets",
    };
    ok(await vc(["path", "/a.csv"], env), "vc path");
    s3.setFaults({ errorRate: 1, errorKind: "internal", match: (t) => t.key === "b.1.0.0.csv" });
    const run = await vc(["verify", "--json"], env);
    assertEquals(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assertEquals(
      report.map((r: { path: string; ok: boolean; errorName?: string }) => [
        r.path,
        r.ok,
        r.errorName,
      ]),
      [
        ["/a.csv", true, undefined],
        ["/b.csv", false, "StoreError"],
        ["/gone.csv", false, undefined],
      ],
    );
  });
});
