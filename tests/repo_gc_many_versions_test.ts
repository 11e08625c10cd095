/**
 * gc expires every superseded published version of a path with thousands of
 * versions, and keeps the newest. (How its time grows with a path's versions
 * is measured by `scripts/bench/repo.ts`, "gc of one path's versions".)
 * Why it matters: gc's first step once ran in time that grew with the square
 * of a path's versions. It asked whether a newer published version EXISTS; SQLite 3.53
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
import { assertEquals } from "./assert.ts";

const VERSIONS = 5_000;

Deno.test("repo gc: expires the 4,999 superseded versions of one path and keeps the newest", async () => {
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
    const report = await repo.gc({ dryRun: true });
    assertEquals(report.expired, Array.from({ length: VERSIONS - 1 }, (_, i) => i + 1));
    const done = await repo.gc();
    assertEquals(done.expired, report.expired);
    assertEquals((await repo.current("/hourly.csv"))?.id, VERSIONS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
