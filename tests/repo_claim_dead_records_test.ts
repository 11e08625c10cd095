/**
 * `claim({ tag })` passes over the tag's expired and purged records a page
 * at a time. Records are never deleted, so a queue tag gathers every record
 * it ever handed out; a claim read the tag's ids from the first, 200 at a
 * time, asking of each page whether one of them was free: 20,000 dead
 * records on the tag made every claim (and every "none is free") read
 * 40,001 tagged ids in 403 statements, holding SQLite's writer lock. Now
 * the free published records, by id (index `records_published`), are read
 * beside the tag's ids, and each step takes the page that reaches farther.
 *
 * Here, on SQLite and PostgreSQL: a queue tag on 2,000 dead records and
 * three free ones hands out exactly those, and the drain (four claims, the
 * last finding none) reads at most one page of tagged ids a claim (counted
 * in the answers of the statements sent, not timed); on SQLite, the free
 * records are read by that index, never by a walk of the records. A catalog made before the index (dropped
 * here) gets it from the next open.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLAIM_TAG_PAGE } from "../src/repo/claims.ts";
import { Repository } from "../src/repo/repository.ts";
import { assert, assertEquals } from "./assert.ts";
import { claimQueryPlans, recording } from "./catalog_recording.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

const DEAD = CLAIM_TAG_PAGE * 10;

// Records 1..DEAD expired and purged, tagged `todo`; then three published
// ones tagged `todo`, one published untagged, one tagged and claimed by
// another until an hour from now.
async function fill(repo: Repository): Promise<number[]> {
  return await repo.catalog.transaction("write", async (tx) => {
    await tx.query(
      `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
       INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at,
         published_at, expired_at, purged_at, claimed_by, claim_until)
       SELECT '/q/' || i || '.csv',
         CASE WHEN i > $2 THEN 'published' WHEN i % 2 = 0 THEN 'purged' ELSE 'expired' END,
         'content/ab/k' || i, 1, 'd41d8cd98f00b204e9800998ecf8427e', 'h', 1, 1,
         CASE WHEN i > $2 THEN NULL ELSE 2 END, CASE WHEN i <= $2 AND i % 2 = 0 THEN 3 END,
         CASE WHEN i = $1 THEN 'other' END, CASE WHEN i = $1 THEN CAST($3 AS BIGINT) END
       FROM n`,
      [DEAD + 5, DEAD, Date.now() + 3_600_000],
    );
    await tx.query(
      "INSERT INTO record_tags (record_id, tag) SELECT id, 'todo' FROM records WHERE id <> $1",
      [DEAD + 4],
    );
    const free = await tx.query(
      "SELECT id FROM records WHERE id > $1 AND id < $2 ORDER BY id",
      [DEAD, DEAD + 4],
    );
    return free.map((row) => Number(row.id));
  });
}

async function drain(repo: Repository): Promise<{ ids: number[]; taggedRead: number }> {
  const rec = recording(repo.catalog);
  const ids: number[] = [];
  try {
    for (;;) {
      const claim = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w" });
      if (claim === undefined) break;
      ids.push(claim.record.id);
    }
  } finally {
    rec.stop();
  }
  // The tag's ids, as read from its indexes (its own records, then its paths').
  const taggedRead = rec.sent.filter((s) => /\) own\b/.test(s.sql)).reduce((n, s) => n + s.rows, 0);
  return { ids, taggedRead };
}

async function scenario(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "repo_claim_dead_records_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    {
      await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
      const free = await fill(repo);
      const { ids, taggedRead } = await drain(repo);
      assertEquals(ids, [DEAD + 1, DEAD + 2, DEAD + 3]);
      assertEquals(ids, free);
      assert(
        taggedRead <= (ids.length + 1) * CLAIM_TAG_PAGE,
        `${ids.length + 1} claims read ${taggedRead} tagged ids`,
      );
      if (catalog === undefined) {
        const plans = await claimQueryPlans(repo);
        assert(plans.some((p) => p.includes("records_published")), plans.join(" | "));
        // The free records by records_published, in id order; none walked
        // by state and sorted.
        const walks = plans.filter((p) => /^SCAN (r|records)\b|INDEX records_state/.test(p));
        assertEquals(walks, [], plans.join(" | "));
      }
      await repo.catalog.transaction("write", (tx) => tx.query("DROP INDEX records_published"));
    }
    await using again = await Repository.open(uri);
    const indexed = await again.catalog.transaction(
      "read",
      (tx) => tx.query(again.catalog.dialect.indexExists, ["records_published"]),
    );
    assertEquals(indexed.length, 1, "the index, added again on open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo claim --tag: the tag's dead records passed over a page at a time on SQLite",
  postgres: "repo claim --tag: the tag's dead records passed over a page at a time on PostgreSQL",
}, scenario);
