/**
 * A listing by a tag set on paths (`vc repo ls --tag pt`, `find --any`,
 * `claim --tag`) reads each page of the tag's ids without sorting every
 * tagged record again. Before, the ids inherited from a path were read by
 * joining every tagged path to its records and sorting them all, for each
 * page: with the tag on all 150,000 paths, `vc repo ls --tag pt` took
 * 13.9 s on SQLite against 2.3 s for a plain `ls` (work quadratic in the
 * tagged records), and a claim 233 ms. Now, when more than a page's worth
 * of paths carry the tag, the next few pages' worth of records are walked
 * in id order, each asked whether its path carries it; the join is left
 * for where they hold too few.
 *
 * Here, on SQLite: a listing of a tag on every path sends the join (whose
 * plan sorts every tagged record: a temporary B-tree for DISTINCT) for its
 * last, empty page only, and walks the records for all others; with the
 * tag on few paths, they are read from the tag's index. On SQLite and
 * PostgreSQL: listings (both directions) and claims return exactly the
 * tagged records, in order, whether the tag is on every path, every third,
 * only the newest records' or two.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/repository.ts";
import { recordPages } from "../src/repo/record_pages.ts";
import { Where } from "../src/repo/records.ts";
import { assertEquals } from "./assert.ts";
import { recording } from "./catalog_recording.ts";
import { type PgCase, pgCases } from "./pg_server.ts";

const PAGE = 10;
// Records 1..N: the first half on /p/<i % PATHS>.csv (several versions a
// path), the second on /q/<i>.csv; the tag `pt` on the records of every
// fifth i itself, and on the paths `tagged` says.
const N = 240;
const PATHS = 30;

function pathOf(i: number): string {
  return i <= N / 2 ? `/p/${i % PATHS}.csv` : `/q/${i}.csv`;
}

async function fill(repo: Repository, tagged: (path: string) => boolean): Promise<void> {
  const paths = new Set<string>();
  for (let i = 1; i <= N; i++) paths.add(pathOf(i));
  await repo.catalog.transaction("write", async (tx) => {
    await tx.query(
      `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
       INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at,
         published_at)
       SELECT CASE WHEN i <= $2 THEN '/p/' || (i % ${PATHS}) ELSE '/q/' || i END || '.csv',
         'published', 'content/ab/k' || i, 1, 'd41d8cd98f00b204e9800998ecf8427e', 'h', 1, 1
       FROM n`,
      [N, N / 2],
    );
    for (const path of paths) {
      if (tagged(path)) {
        await tx.query("INSERT INTO path_tags (path, tag) VALUES ($1, 'pt')", [path]);
      }
    }
    await tx.query(
      "INSERT INTO record_tags (record_id, tag) SELECT id, 'pt' FROM records WHERE id % 5 = 0",
    );
  });
}

function expected(tagged: (path: string) => boolean): number[] {
  const ids = [];
  for (let i = 1; i <= N; i++) if (i % 5 === 0 || tagged(pathOf(i))) ids.push(i);
  return ids;
}

async function listed(repo: Repository, descending: boolean): Promise<number[]> {
  const where = new Where();
  where.and(where.hasTag("pt"));
  const ids: number[] = [];
  const selection = { where, entries: [["pt"]], descending };
  for await (const page of recordPages(repo.catalog, selection, PAGE)) {
    ids.push(...page.map((r) => r.id));
  }
  return ids;
}

/** The plan of each SELECT sent while listing, its details joined. */
async function listingPlans(repo: Repository): Promise<string[]> {
  const rec = recording(repo.catalog);
  try {
    await listed(repo, false);
  } finally {
    rec.stop();
  }
  const plans: string[] = [];
  for (const { sql, params } of rec.sent) {
    if (!/^\s*SELECT/i.test(sql)) continue;
    const rows = await repo.catalog.transaction(
      "read",
      (tx) => tx.query(`EXPLAIN QUERY PLAN ${sql}`, params),
    );
    plans.push(rows.map((row) => String(row.detail)).join(" | "));
  }
  return plans;
}

async function withRepo(
  catalog: string | undefined,
  fn: (repo: Repository) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "repo_list_path_tag_pages_" });
  try {
    await using repo = await Repository.init(
      pathToFileURL(join(dir, "store")).href,
      catalog === undefined ? {} : { catalog },
    );
    await fn(repo);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LAYOUTS: Record<string, (path: string) => boolean> = {
  every: () => true,
  third: (path) => Number(path.match(/\d+/)![0]) % 3 === 0,
  newest: (path) => path.startsWith("/q/"),
  two: (path) => path === "/p/7.csv" || path === "/p/8.csv",
};

async function answers(catalog: string | undefined, layout: string): Promise<void> {
  const tagged = LAYOUTS[layout]!;
  await withRepo(catalog, async (repo) => {
    await fill(repo, tagged);
    assertEquals(await listed(repo, false), expected(tagged));
    assertEquals(await listed(repo, true), expected(tagged).reverse());
    const claimed = [];
    for (;;) {
      const claim = await repo.claim({ tag: "pt", ttlMs: 60_000, holder: "w" });
      if (claim === undefined) break;
      claimed.push(claim.record.id);
    }
    assertEquals(claimed, expected(tagged));
  });
}

for (const layout of Object.keys(LAYOUTS)) {
  Deno.test(`repo ls/claim --tag on ${layout} path(s): the tagged records, in order, on SQLite`, () =>
    answers(undefined, layout));
}
pgCases(
  "repo ls/claim --tag on paths: the tagged records, in order, on PostgreSQL",
  Object.keys(LAYOUTS).map((layout): PgCase => [layout, (url) => answers(url, layout)]),
);

Deno.test("repo ls --tag on every path: the records walked, not every tagged one sorted a page", async () => {
  await withRepo(undefined, async (repo) => {
    await fill(repo, LAYOUTS.every!);
    const plans = await listingPlans(repo);
    const joins = plans.filter((p) => /TEMP B-TREE FOR DISTINCT/.test(p));
    const walks = plans.filter((p) => /SEARCH pt EXISTS/.test(p));
    // N / PAGE full pages, then an empty one.
    assertEquals([joins.length, walks.length], [1, N / PAGE + 1], plans.join("\n"));
  });
});

Deno.test("repo ls --tag on few paths: the tagged paths read from the tag's index", async () => {
  await withRepo(undefined, async (repo) => {
    await fill(repo, LAYOUTS.two!);
    const plans = await listingPlans(repo);
    assertEquals(plans.some((p) => /path_tags_tag/.test(p)), true, plans.join("\n"));
    assertEquals(plans.some((p) => /SEARCH pt EXISTS/.test(p)), false, plans.join("\n"));
  });
});
