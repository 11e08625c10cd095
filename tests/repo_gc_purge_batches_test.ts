/**
 * gc purges records in batches, each committed on its own. Before, it
 * purged every record past its time in one write transaction, which held
 * SQLite's single writer lock for as long as that took (600,000 abandoned
 * records: about a minute, during which an `add` elsewhere waited or failed
 * as busy), and a Ctrl-C stopped it with nothing purged. Its first step,
 * expiring superseded published versions, did the same, and now goes in
 * batches too.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const RECORDS = 6000;

async function states(repo: Repository): Promise<Record<string, number>> {
  const rows = await repo.catalog.transaction(
    "read",
    (tx) => tx.query("SELECT state, COUNT(*) AS n FROM records GROUP BY state ORDER BY state"),
  );
  return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
}

Deno.test("repo gc: purges in batches; stopped after one, a rerun purges the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_purge_batches_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    // Abandoned adds of long ago, written straight into the catalog: adding
    // thousands through the store would take minutes.
    await repo.catalog.transaction("write", async (tx) => {
      for (let i = 0; i < RECORDS; i++) {
        await tx.query(
          "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at) " +
            "VALUES ($1, 'unpublished', $2, 1, $3, 'host', $4)",
          [`/old/${i}.txt`, `content/00/old-${i}.txt`, "0".repeat(32), i],
        );
      }
    });
    const stop = new AbortController();
    let stopping = false;
    await assertRejects(
      () =>
        repo.gc({
          signal: stop.signal,
          onProgress: (p) => {
            // A Ctrl-C as the first batch's content is being deleted.
            if (p.step !== "deleting objects" || stopping) return;
            stopping = true;
            queueMicrotask(() => stop.abort(new Error("stopped")));
          },
        }),
      Error,
      "stopped",
    );
    // The first batch was committed before its content went; the rest waits.
    const after = await states(repo);
    assertEquals(after.purged! > 0 && after.purged! < RECORDS, true, JSON.stringify(after));
    assertEquals(after.purged! + after.unpublished!, RECORDS);
    const report = await repo.gc();
    assertEquals(report.purgedUnpublished.length, after.unpublished);
    // Ascending ids, as one transaction reported them.
    assertEquals(report.purgedUnpublished, [...report.purgedUnpublished].sort((a, b) => a - b));
    assertEquals(await states(repo), { purged: RECORDS });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo gc: expires superseded versions in batches; stopped after one, a rerun expires the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_expire_batches_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    // Two published versions of each path, the older superseded; one older
    // version claimed until far ahead. Straight into the catalog, as above.
    const claimedPath = "/v/7.txt";
    await repo.catalog.transaction("write", async (tx) => {
      for (let version = 0; version < 2; version++) {
        for (let i = 0; i < RECORDS; i++) {
          const path = `/v/${i}.txt`;
          const claim = version === 0 && path === claimedPath;
          await tx.query(
            "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, " +
              "published_at, claimed_by, claim_until) " +
              "VALUES ($1, 'published', $2, 1, $3, 'host', $4, $4, $5, $6)",
            [
              path,
              `content/00/v${version}-${i}.txt`,
              "0".repeat(32),
              Date.now(),
              claim ? "holder" : null,
              claim ? Date.now() + 3_600_000 : null,
            ],
          );
        }
      }
    });
    const stop = new AbortController();
    await assertRejects(
      () =>
        repo.gc({
          signal: stop.signal,
          onProgress: (p) => {
            // A Ctrl-C once the first batch is committed.
            if (p.step === "expiring records" && p.done > 0) stop.abort(new Error("stopped"));
          },
        }),
      Error,
      "stopped",
    );
    const after = await states(repo);
    assertEquals(after.expired! > 0 && after.expired! < RECORDS - 1, true, JSON.stringify(after));
    const report = await repo.gc();
    assertEquals(report.expired.length, RECORDS - 1 - after.expired!);
    assertEquals(report.expired, [...report.expired].sort((a, b) => a - b));
    assertEquals(report.keptClaimed.length, 1, "the claimed older version stays published");
    assertEquals(await states(repo), { expired: RECORDS - 1, published: RECORDS + 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
