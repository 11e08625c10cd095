/**
 * `Repository.adopt` (`vc repo adopt KEY PATH`): content in the store that
 * no record names (an orphan `check` reports, content gc keeps since a
 * restore) recorded in place, on SQLite and on PostgreSQL. Before, the only
 * way to keep an orphan was to download it and `add` it again. Hostile keys
 * (outside the content prefix, `..`, the marker, a backup) and keys a record
 * already names are refused with nothing recorded; an object whose MD5 the
 * store does not state is refused unless hashed; and a gc running meanwhile
 * either deletes the object first (the adoption fails) or finds it recorded
 * and keeps it, paused through the store seam (no timing).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { pgCases } from "./pg_server.ts";
import { type Hook, pauseAfterPut, withPausableRepos } from "./pausable_repos.ts";
import { ContentCollectedError, type Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { RESTORED_MARK_KEY } from "../src/repo/gc.ts";

type Scenario = (adopter: Repository, collector: Repository, hook: Hook) => Promise<void>;

/** The adopter, the collector (an hour ahead: a new object is past its grace) and their hook. */
const withRepos = (catalog: string | undefined, fn: Scenario) =>
  withPausableRepos("vc_repo_adopt_", catalog, fn);

const bytes = new TextEncoder().encode("a,b\n1,2\n");
// The objects these tests put are new: adopted whatever their age (see refusesYoungContent).
const ANY_AGE = { graceMs: 0 };
const KEY = "content/0f/0f1e2d3c-orphan.csv";

/** Puts an object no record names at `key` (as another tool, or a lost catalog row, leaves). */
async function orphan(repo: Repository, key = KEY): Promise<void> {
  await repo.store.put(key, bytes, { metadata: { "vc-md5": md5Hex(bytes) } });
}

async function adoptsAnOrphan(adopter: Repository, collector: Repository) {
  await orphan(adopter);
  const before = await adopter.check({ graceMs: 0 });
  assertEquals(before.orphans.map((o) => o.key), [KEY]);
  const record = await adopter.adopt(KEY, "/data/a.csv", { tags: ["raw"], ...ANY_AGE });
  assertEquals(
    [record.contentKey, record.path, record.state, record.size, record.md5, record.tags],
    [KEY, "/data/a.csv", "unpublished", bytes.length, md5Hex(bytes), ["raw"]],
  );
  const after = await adopter.check({ graceMs: 0 });
  assertEquals([after.ok, after.orphans, after.recentOrphans], [true, [], []]);
  // Publish looks at the content against the record: its size and MD5 are the object's.
  await adopter.publish(record.id);
  assertEquals((await adopter.current("/data/a.csv"))?.id, record.id);
  // Recorded, so gc keeps it (an hour ahead: past any grace of a minute).
  assertEquals((await collector.gc({ graceMs: 60_000 })).deletedObjects, []);
}

async function refusesHostileKeys(adopter: Repository) {
  await orphan(adopter);
  const backup = await adopter.backup();
  const refusals: [string, string][] = [
    [".vc-repo.json", "is not under content/"],
    [new URL(backup.uri).pathname.split("/store/")[1]!, "is not under content/"],
    ["contentx/0f/a.csv", "is not under content/"],
    ["../store2/content/0f/a.csv", "is not under content/"],
    ["content/../.vc-repo.json", "is not shaped like a content key"],
    ["content/0f/../../.vc-repo.json", "is not shaped like a content key"],
    ["content/", "is not shaped like a content key"],
    ["content/xx/a.csv", "is not shaped like a content key"],
    ["content/0f/.a.csv.tmp-1", "is not shaped like a content key"],
    ["content/0f/a/b.csv", "is not shaped like a content key"],
    ["content/0f/a b.csv", "is not shaped like a content key"],
    ["content/0f/a\n.csv", "is not shaped like a content key"],
  ];
  for (const [key, why] of refusals) {
    const error = await assertRejects(
      () => adopter.adopt(key, "/x.csv", ANY_AGE),
      InvalidInputError,
    );
    assertStringIncludes(error.message, why, key);
  }
  await assertRejects(
    () => adopter.adopt("content/0f/missing.csv", "/x.csv", ANY_AGE),
    Error,
    "no such object",
  );
  assertEquals(await adopter.list(), []);
  assert(await adopter.store.head(".vc-repo.json") !== undefined, "the marker is untouched");
}

async function refusesNamedKeys(adopter: Repository) {
  const live = await adopter.add("/live.csv", bytes);
  await assertRejects(
    () => adopter.adopt(live.contentKey, "/other.csv", ANY_AGE),
    InvalidInputError,
    `record ${live.id} (unpublished) already names it`,
  );
  const purged = await adopter.add("/purged.csv", bytes);
  await adopter.purge(purged.id);
  // Put back at a purged record's key: its purge deletes content, never records it again.
  await orphan(adopter, purged.contentKey);
  await assertRejects(
    () => adopter.adopt(purged.contentKey, "/other.csv", ANY_AGE),
    InvalidInputError,
    `record ${purged.id} (purged) already names it`,
  );
  // Adopted once: a second adoption is refused.
  await orphan(adopter);
  const first = await adopter.adopt(KEY, "/a.csv", ANY_AGE);
  await assertRejects(
    () => adopter.adopt(KEY, "/b.csv", ANY_AGE),
    InvalidInputError,
    `record ${first.id} (unpublished) already names it`,
  );
  assertEquals((await adopter.list({ path: "/other.csv" })).length, 0);
  assertEquals((await adopter.list({ path: "/b.csv" })).length, 0);
}

async function multipartNeedsHash(adopter: Repository, _collector: Repository, hook: Hook) {
  await adopter.store.put(KEY, bytes);
  // As S3 states a multipart upload by another tool: no MD5 in its ETag, none in metadata.
  hook.info = (info) => ({ ...info, etag: "9b2cf535f27731c974343645a3985328-2", metadata: {} });
  await assertRejects(
    () => adopter.adopt(KEY, "/a.csv", ANY_AGE),
    InvalidInputError,
    "the store states no MD5 of it",
  );
  assertEquals(await adopter.list(), []);
  const seen: number[] = [];
  const record = await adopter.adopt(KEY, "/a.csv", {
    ...ANY_AGE,
    hash: true,
    onHashProgress: (p) => seen.push(p.bytes),
  });
  assertEquals(record.md5, md5Hex(bytes));
  assertEquals([seen[0], seen.at(-1)], [0, bytes.length]);
}

/** gc lists the orphan, the adoption commits, then gc goes on to delete: it keeps it. */
async function adoptCommitsBeforeGcDeletes(adopter: Repository, collector: Repository, hook: Hook) {
  await orphan(adopter);
  const listed = Promise.withResolvers<void>();
  const adopted = Promise.withResolvers<void>();
  hook.afterList = () => {
    hook.afterList = undefined;
    listed.resolve();
    return adopted.promise;
  };
  const collecting = collector.gc({ graceMs: 60_000 });
  collecting.catch(() => {});
  await listed.promise; // gc saw the object, unreferenced and past its grace
  const record = await adopter.adopt(KEY, "/a.csv", ANY_AGE);
  adopted.resolve();
  const report = await collecting;
  assertEquals(report.deletedObjects, []);
  assert(await adopter.store.head(KEY) !== undefined, "adopted content survives gc");
  assertEquals((await adopter.get(record.id)).state, "unpublished");
  assertEquals((await adopter.check({ graceMs: 0 })).ok, true);
}

/** The adoption has looked at the object; gc deletes it before the record is made. */
async function gcDeletesBeforeAdoptRecords(
  adopter: Repository,
  collector: Repository,
  hook: Hook,
) {
  await orphan(adopter);
  const looked = Promise.withResolvers<void>();
  const resume = Promise.withResolvers<void>();
  hook.afterHead = (key) => {
    if (key !== KEY) return Promise.resolve();
    hook.afterHead = undefined;
    looked.resolve();
    return resume.promise;
  };
  const adopting = adopter.adopt(KEY, "/a.csv", ANY_AGE);
  adopting.catch(() => {});
  await looked.promise;
  assertEquals((await collector.gc({ graceMs: 60_000 })).deletedObjects, [KEY]);
  resume.resolve();
  await assertRejects(() => adopting, ContentCollectedError, "was deleted");
  assertEquals(await adopter.list(), []);
  assertEquals((await adopter.check({ graceMs: 0 })).ok, true);
}

/** Content gc keeps since a restore, adopted: no longer kept as restored, nor an orphan. */
async function adoptsRestoreKept(adopter: Repository, collector: Repository) {
  await orphan(adopter);
  // What a restore of an older snapshot marks: unreferenced content up to now is kept.
  await adopter.catalog.transaction(
    "write",
    (tx) =>
      tx.query("INSERT INTO vc_meta (key, value) VALUES ($1, $2)", [
        RESTORED_MARK_KEY,
        String(Date.now() + 60_000),
      ]),
  );
  assertEquals((await adopter.check({ graceMs: 0 })).keptRestored?.map((o) => o.key), [KEY]);
  // Of any age: gc keeps it whatever its age, so no add is in flight with it.
  await adopter.publish((await adopter.adopt(KEY, "/a.csv")).id);
  const report = await adopter.check({ graceMs: 0 });
  assertEquals([report.ok, report.keptRestored, report.orphans], [true, undefined, []]);
  const gc = await collector.gc({ graceMs: 60_000, releaseRestored: true });
  assertEquals([gc.keptRestored, gc.deletedObjects], [[], []]);
  assert(await adopter.store.head(KEY) !== undefined);
}

/** An object younger than the grace period (an add in flight, maybe) is refused by default. */
async function refusesYoungContent(adopter: Repository) {
  await orphan(adopter);
  await assertRejects(
    () => adopter.adopt(KEY, "/a.csv"),
    InvalidInputError,
    "within the grace period (168 hours, gc's): most likely an add in flight",
  );
  // One given is said as given, not as gc's.
  await assertRejects(
    () => adopter.adopt(KEY, "/a.csv", { graceMs: 3_600_000 }),
    InvalidInputError,
    "within the grace period (1 hour): most likely an add in flight",
  );
  assertEquals(await adopter.list(), []);
}

/**
 * An add in flight whose upload is adopted (forced, with a grace of 0)
 * before the add records it: the add fails, and leaves the content to the
 * adopted record (it must not delete what a record names).
 */
async function addInFlightAdopted(adopter: Repository, _collector: Repository, hook: Hook) {
  const { uploaded, resume } = pauseAfterPut(hook);
  const adding = adder(adopter);
  adding.catch(() => {});
  const key = await uploaded.promise;
  const adopted = await adopter.adopt(key, "/adopted.csv", ANY_AGE);
  resume.resolve();
  await assertRejects(
    () => adding,
    ContentCollectedError,
    `was adopted by record ${adopted.id} while this add was recording it`,
  );
  assert(await adopter.store.head(key) !== undefined, "the adopted content is kept");
  assertEquals((await adopter.check({ graceMs: 0 })).ok, true);
  assertEquals((await adopter.list()).map((r) => r.id), [adopted.id]);
}

/**
 * An add stopped (Ctrl-C) once its upload was up, which an adopt told to
 * take content of any age recorded meanwhile: the add deletes the upload
 * nothing of its own records, and deleted the adopting record's content
 * with it (a record whose get and check then failed: missing).
 */
async function stoppedAddLeavesAdoptedContent(adopter: Repository, _c: Repository, hook: Hook) {
  const stop = new AbortController();
  let adopted: { id: number; contentKey: string } | undefined;
  hook.afterPut = async (key) => {
    hook.afterPut = undefined;
    adopted = await adopter.adopt(key, "/adopted.csv", ANY_AGE);
    stop.abort(new Error("stopped"));
  };
  await assertRejects(
    () => adopter.add("/added.csv", bytes, { signal: stop.signal }),
    Error,
    "stopped",
  );
  assert(adopted !== undefined);
  assert(await adopter.store.head(adopted.contentKey) !== undefined, "the adopted content is kept");
  assertEquals((await adopter.check({ graceMs: 0 })).problems, []);
  assertEquals((await adopter.list()).map((r) => r.id), [adopted.id]);
}

function adder(repo: Repository) {
  return repo.add("/added.csv", bytes);
}

/**
 * Two adoptions of one key at once (PostgreSQL: the content lock is shared,
 * so both look before either records): the second is refused saying which
 * record names it, not with the catalog's unique-key error.
 */
async function twoAdoptionsAtOnce(adopter: Repository, collector: Repository, hook: Hook) {
  await orphan(adopter);
  const inTransaction = Promise.withResolvers<void>();
  const resume = Promise.withResolvers<void>();
  let heads = 0;
  // The first adoption's second HEAD is the one under the content lock.
  hook.afterHead = (key) => {
    if (key !== KEY || ++heads !== 2) return Promise.resolve();
    inTransaction.resolve();
    return resume.promise;
  };
  const first = adopter.adopt(KEY, "/first.csv", ANY_AGE);
  first.catch(() => {});
  await inTransaction.promise;
  const second = await collector.adopt(KEY, "/second.csv", ANY_AGE);
  resume.resolve();
  await assertRejects(
    () => first,
    InvalidInputError,
    `record ${second.id} (unpublished) already names it`,
  );
  assertEquals((await adopter.list()).map((r) => r.path), ["/second.csv"]);
}

const CASES: [string, Scenario][] = [
  ["adopts an orphan in place; check then finds none and gc keeps it", adoptsAnOrphan],
  ["refuses keys outside the content, hostile or misshapen", refusesHostileKeys],
  ["refuses a key a record already names, purged too", refusesNamedKeys],
  ["refuses an object with no stated MD5 unless hashed", multipartNeedsHash],
  ["gc that listed the orphan keeps it once adopted", adoptCommitsBeforeGcDeletes],
  ["gc deleting the orphan first makes the adoption record nothing", gcDeletesBeforeAdoptRecords],
  ["refuses an object younger than the grace period", refusesYoungContent],
  ["an add whose upload was adopted meanwhile fails and leaves it", addInFlightAdopted],
  ["an add stopped after its upload was adopted leaves it", stoppedAddLeavesAdoptedContent],
  ["content gc keeps since a restore, adopted, is no longer kept as restored", adoptsRestoreKept],
];

for (const [name, scenario] of CASES) {
  Deno.test(`repo adopt (SQLite): ${name}`, () => withRepos(undefined, scenario));
}

pgCases(
  "repo adopt (PostgreSQL)",
  [
    ...CASES,
    // SQLite's writer lock lets one adoption in at a time: no such race there.
    ["two adoptions of one key at once: the second is refused", twoAdoptionsAtOnce] as const,
  ].map(([name, scenario]) => [name, (url: string) => withRepos(url, scenario)] as const),
);
