/**
 * The requests `update` sends to compare the file with the bucket's latest
 * version: the latest is looked at once, also when the manifest pins an older
 * version (a checkout behind the bucket), where it was asked twice (once to
 * adopt an identical latest, once more to refuse it as identical).
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { RequestLogEntry } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { tempDir, testS3Options, writeFile } from "./versioned_helpers.ts";

for (const pinned of ["1.0.0", "2.0.0"]) {
  Deno.test(`update with the manifest pinning ${pinned} asks for the latest (2.0.0) once`, async () => {
    const log: RequestLogEntry[] = [];
    await using s3 = await startFakeS3({ buckets: ["b"], onRequest: (e) => log.push(e) });
    await s3.putObject("b", "a.1.0.0.csv", "one\n");
    await s3.putObject("b", "a.2.0.0.csv", "two\n");
    await using dir = await tempDir("vc_update_requests_");
    const manifest = join(dir.path, "versioned_assets.json");
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": pinned }));
    await using vc = new VersionedCache({ manifest, bucket: "s3://b", store: testS3Options(s3) });
    const file = await writeFile(dir.path, "a.csv", "three\n");
    log.length = 0;
    const result = await vc.update("/a.csv", file, { patch: true });
    assertEquals(result.to, "2.0.1");
    const heads = log.filter((e) => e.method === "HEAD" && e.path.includes("a.2.0.0.csv"));
    assertEquals(heads.map((e) => e.path), ["/b/a.2.0.0.csv"]);
  });
}
