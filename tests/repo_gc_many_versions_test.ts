/**
 * gc's first step finds the superseded published versions of each path in
 * time that grows with the records, not with the square of a path's
 * versions. It asked whether a newer published version EXISTS; SQLite 3.53
 * (Deno's) runs that EXISTS as a join that walks every newer version of the
 * path for each record, so a path with 20,000 versions (hourly data kept two
 * years) took minutes, each batch of 5,000 holding SQLite's writer lock for
 * up to a minute while a `claim` or `add` elsewhere failed as busy. It now
 * compares each record with its path's newest published id, one index
 * lookup.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals } from "./assert.ts";

const VERSIONS = 20_000;

Deno.test("repo gc: expires 20,000 superseded versions of one path in seconds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_many_versions_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    // Straight into the catalog: adding them through the store would take minutes.
    await repo.catalog.transaction("write", async (tx) => {
      for (let i = 0; i < VERSIONS; i++) {
        await tx.query(
          "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, " +
            "published_at) VALUES ('/hourly.csv', 'published', $1, 1, $2, 'host', $3, $3)",
          [`content/00/v${i}`, "0".repeat(32), Date.now()],
        );
      }
    });
    const started = performance.now();
    const report = await repo.gc({ dryRun: true });
    const seconds = (performance.now() - started) / 1000;
    assertEquals(report.expired.length, VERSIONS - 1);
    // Under a second here, where the square of the versions took 26 s. The
    // bound leaves room for a loaded CI machine, not for the square.
    assert(seconds < 20, `gc --dry-run took ${seconds.toFixed(1)} s`);
    const done = await repo.gc();
    assertEquals(done.expired, report.expired);
    assertEquals((await repo.current("/hourly.csv"))?.id, VERSIONS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
