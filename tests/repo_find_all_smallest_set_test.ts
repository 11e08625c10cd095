/**
 * `find` with several `--all` tags (and `--any` beside them) reads its
 * candidates from the smallest tag's index, whatever the order the tags
 * were given in. Before, it read the ids of the first `--all` tag (or of
 * the `--any` tags) and checked each for the others: `find --all common
 * --all rare` on 50,000 records carrying `common` read all 50,020 tagged
 * ids for its 10 records, against 30 with the tags the other way round.
 * Now each page is read from the set whose page reaches farthest.
 *
 * Here, on SQLite and PostgreSQL: over three pages of records carrying
 * `common`, every order and mix of `common`, `rare` (on a few records, and
 * on a path) and `--any` finds the same records, and reads at most one page
 * of `common`'s ids (counted in the answers of the statements sent, not
 * timed) for each of its sets of candidates that is `common`'s.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RECORDS_PER_PAGE } from "../src/repo/record_pages.ts";
import { type FindQuery, Repository } from "../src/repo/repository.ts";
import { assert, assertEquals } from "./assert.ts";
import { recording } from "./catalog_recording.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

const N = RECORDS_PER_PAGE * 2 + 300;
const RARE_EVERY = 1_000;

// Records 1..N on /p/<i>.csv carrying `common`; `rare` on every 1,000th and
// on the path /p/5.csv; `bad` on every 2,000th.
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
    await tx.query("INSERT INTO record_tags (record_id, tag) SELECT id, 'common' FROM records");
    await tx.query(
      `INSERT INTO record_tags (record_id, tag) SELECT id, 'rare' FROM records WHERE id % ${RARE_EVERY} = 0`,
    );
    await tx.query(
      "INSERT INTO record_tags (record_id, tag) SELECT id, 'bad' FROM records WHERE id % 2000 = 0",
    );
    await tx.query("INSERT INTO path_tags (path, tag) VALUES ('/p/5.csv', 'rare')");
  });
}

async function scenario(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "repo_find_all_smallest_set_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await fill(repo);
    const rare = [5];
    for (let i = RARE_EVERY; i <= N; i += RARE_EVERY) rare.push(i);
    // Each query, what it finds, and how many of its sets of candidates (the
    // `any` tags together, each `all` tag) are `common`'s many records.
    const queries: [FindQuery, number[], number][] = [
      [{ all: ["common", "rare"] }, rare, 1],
      [{ all: ["rare", "common"] }, rare, 1],
      [{ all: ["common", "rare"], exclude: ["bad"] }, rare.filter((i) => i % 2000 !== 0), 1],
      [{ any: ["common"], all: ["rare"] }, rare, 1],
      [{ any: ["common", "nothing"], all: ["common", "rare"] }, rare, 2],
      [{ any: ["rare"], all: ["common"] }, rare, 1],
      [{ any: ["nothing"], all: ["common"] }, [], 1],
      [{ all: ["common", "nothing"] }, [], 1],
    ];
    for (const [query, expected, large] of queries) {
      const rec = recording(repo.catalog);
      let found;
      try {
        found = await repo.find(query);
      } finally {
        rec.stop();
      }
      assertEquals(found.map((r) => r.id), expected, JSON.stringify(query));
      // The ids read from the tag indexes (the statements that read a
      // tag's own records, then its paths').
      const read = rec.sent.filter((s) => /\) own\b/.test(s.sql)).reduce((n, s) => n + s.rows, 0);
      // At most one page of each set of `common`'s, and `rare`'s few.
      assert(
        read <= large * RECORDS_PER_PAGE + rare.length,
        `${JSON.stringify(query)} read ${read} tagged ids for ${expected.length} records`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo find --all: read from the smallest tag's index, in any order, on SQLite",
  postgres: "repo find --all: read from the smallest tag's index, in any order, on PostgreSQL",
}, scenario);
