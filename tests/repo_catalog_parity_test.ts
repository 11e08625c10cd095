/**
 * One scenario run on both catalog kinds, whose answers must be the same:
 * listings, `find`, tags and backup lines with paths and tags that a
 * database collation orders differently from bytes ("B" before "a",
 * accents, full-width and astral letters, `%` and `_`), lookups that
 * differ only in case, a size past 2^31 and 2^32, and a caller's clock
 * that reads fractions of a millisecond (`performance.timeOrigin +
 * performance.now()`, a `ManualClock` advanced by 0.5). The PostgreSQL side
 * runs in a database with ICU's en-US collation and a server time zone
 * that is not UTC.
 *
 * The clock: its fractions reached the catalog as they were. SQLite stored
 * them (a record's time 1767225600000.6), PostgreSQL refused them with an
 * internal `invalid input syntax for type bigint`, so every add, publish
 * and claim failed on one catalog and worked on the other; and a SQLite
 * backup holding such a time could be restored into neither. A
 * repository now reads its clock in whole milliseconds, as its times are
 * kept.
 *
 * A report of one's own through `repo.catalog` (`Tx.query`, whose rows hold
 * strings, numbers and nulls): PostgreSQL's driver gave a `SUM(size)` or an
 * `AVG` (numeric) as a string ("5000000028" where SQLite gave 5000000028)
 * and a comparison as `true`/`false` (SQLite: 1/0, and no boolean is a
 * value of a Row). The PostgreSQL catalog now reads both as SQLite does.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assert, assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

const PATHS = ["/B", "/a", "/b", "/\u00e9", "/e", "/Z_1", "/z%2", "/\u{1F600}", "/\uFF21", "/a_b"];
const TAGS = ["B", "a", "\u00e9", "_x", "%y", "\u{1F600}", "\uFF21", "Zed", "zed"];
const BIG = 5_000_000_000;

/** What one run of the scenario answers, without what differs by nature (ids' catalog, keys, hosts). */
async function scenario(dir: string, catalog: string | undefined): Promise<unknown> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1) + 0.6);
  const uri = pathToFileURL(join(dir, "store")).href;
  await using repo = await Repository.init(uri, { clock, ...(catalog ? { catalog } : {}) });
  const out: Record<string, unknown> = {};
  for (const [i, path] of PATHS.entries()) {
    const record = await repo.add(path, bytes(path), { tags: TAGS.slice(i % 3) });
    await clock.advance(1000.5);
    if (i % 2 === 0) await repo.publish(record.id);
  }
  await repo.tag({ path: "/a" }, ["Path", "path"]);
  const brief = (rs: { id: number; path: string; tags: string[]; createdAt: string }[]) =>
    rs.map((r) => [r.id, r.path, r.tags.join(" "), r.createdAt]);
  out.list = brief(await repo.list());
  out.newest = brief(await repo.list({ limit: 3 }));
  out.byTag = brief(await repo.list({ tag: "zed" }));
  out.byTagCase = brief(await repo.list({ tag: "ZED" }));
  out.byPathCase = [(await repo.list({ path: "/A" })).length, (await repo.current("/A"))?.id];
  out.find = brief(await repo.find({ any: ["%y", "Path"], exclude: ["\u{1F600}"] }));
  out.findWildcards = (await repo.find({ any: ["%", "_", "_x%"] })).length;
  const claim = await repo.claim({ ttlMs: 60_000.4, holder: "w" });
  out.claim = [claim?.record.id, claim?.until];
  out.renewed = (await repo.renew(claim!.record.id, "w", 1_000.5)).until;
  out.expired = (await repo.expire(1)).expiredAt;
  // A size past 2^31 and 2^32 (no 5 GB file needed: set in the catalog).
  await repo.catalog.transaction(
    "write",
    (tx) => tx.query("UPDATE records SET size = $1 WHERE id = 2", [BIG]),
  );
  out.bigSize = (await repo.get(2)).size;
  // A report of one's own, straight from the catalog (Tx.query): a sum and
  // an average (numeric on PostgreSQL) and a comparison (boolean there) are
  // numbers on both, as the Row type says.
  out.report = await repo.catalog.transaction("read", (tx) =>
    tx.query(
      "SELECT SUM(size) AS total, AVG(size) AS mean, MAX(size) AS largest, " +
        "COUNT(*) > 5 AS many, COUNT(*) < 5 AS few, SUM(size) > $1 AS big FROM records",
      [BIG],
    ).then((rows) => rows.map((row) => ({ ...row }))));
  const backup = await repo.backup();
  const lines = (await new Response(
    (await Deno.open(new URL(backup.uri))).readable.pipeThrough(new DecompressionStream("gzip")),
  ).text()).trim().split("\n").slice(1); // the header names the catalog
  out.backup = lines.map((line) =>
    line.replace(/"(content_key|md5|origin_host)":"[^"]*"/g, "").replace(/"count":\d+/, "")
  );
  for (const r of await repo.list()) {
    for (const t of [r.createdAt, r.publishedAt, r.expiredAt, r.claimUntil]) {
      assert(t === null || Number.isInteger(Date.parse(t)), `a time in whole ms: ${t}`);
    }
  }
  return out;
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_parity_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo catalog parity: a clock reading fractions of a ms keeps whole-ms times (SQLite)", async () => {
  const out = await inTempDir((dir) => scenario(dir, undefined)) as Record<string, unknown>;
  const rows = out.list as [number, string, string, string][];
  assertEquals(rows.map((r) => r[1]), PATHS);
  assertEquals(rows[0]![3], "2026-01-01T00:00:00.000Z");
  // Listings are by id, whatever the spelling; case is never folded.
  assertEquals(out.byTagCase, []);
  assertEquals(out.byPathCase, [0, undefined]);
  assertEquals(out.findWildcards, 0);
  assertEquals(out.bigSize, BIG);
  assertEquals(out.report, [{
    total: BIG + 30,
    mean: (BIG + 30) / 10,
    largest: BIG,
    many: 1,
    few: 0,
    big: 1,
  }]);
  // Backup lines hold no fraction: a snapshot restores into either catalog.
  assert((out.backup as string[]).every((line) => !/\d\.\d/.test(line)), String(out.backup));
});

Deno.test({
  name: "repo catalog parity: SQLite and PostgreSQL (ICU en-US, time zone not UTC) answer alike",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const url = await pg.createDatabase(
      "icu",
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.utf8'",
    );
    const admin = await openPostgresCatalog(url, { env: () => undefined });
    try {
      await admin.transaction(
        "write",
        (tx) => tx.query(`ALTER DATABASE icu SET timezone = 'Pacific/Chatham'`),
      );
    } finally {
      await admin.close();
    }
    const sqlite = await inTempDir((dir) => scenario(dir, undefined));
    const postgres = await inTempDir((dir) => scenario(dir, url));
    assertEquals(postgres, sqlite);
  },
});

/**
 * A SQLite catalog that a clock reading fractions wrote before (its times
 * stored as they were, 1767225600000.6): its backup was refused by every
 * restore (`created_at … is not a non-negative integer`), into SQLite as
 * into PostgreSQL. A restore now takes such a time as its whole ms.
 */
async function restoreFractionalTimes(catalog: (dir: string) => Promise<string>): Promise<void> {
  await inTempDir(async (dir) => {
    const uri = pathToFileURL(join(dir, "store")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      const record = await repo.add("/a.csv", bytes("a"));
      await repo.publish(record.id);
      await repo.claim({ ttlMs: 60_000, holder: "w" });
      await repo.catalog.transaction("write", (tx) =>
        tx.query(
          "UPDATE records SET created_at = created_at + 0.6, published_at = published_at + 0.5, " +
            "claim_until = claim_until + 0.25",
        ));
      const held = await repo.get(record.id);
      snapshot = (await repo.backup()).uri;
      const counts = await Repository.restore(uri, snapshot, { catalog: await catalog(dir) });
      assertEquals(counts.records, 1);
      await using restored = await Repository.open(uri);
      const [back] = await restored.list();
      assertEquals(
        [back?.createdAt, back?.publishedAt, back?.claimUntil],
        [held.createdAt, held.publishedAt, held.claimUntil],
      );
      const raw = await restored.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT created_at, published_at, claim_until FROM records"),
      );
      assert(Object.values(raw[0]!).every((t) => Number.isInteger(t)), JSON.stringify(raw));
    }
  });
}

Deno.test("repo restore: a SQLite catalog's times in fractions of a ms restore as whole ms (SQLite)", () =>
  restoreFractionalTimes((dir) => Promise.resolve(`sqlite:${join(dir, "moved.sqlite")}`)));

Deno.test({
  name: "repo restore: a SQLite catalog's times in fractions of a ms restore into PostgreSQL",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await restoreFractionalTimes(() => Promise.resolve(pg.url));
  },
});
