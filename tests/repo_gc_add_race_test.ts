/**
 * `repo gc` racing an `add` on another machine (README, Repository: "gc never
 * deletes content a record references"). An add uploads its content first
 * and records it after; gc deletes content no record references once it is
 * older than the grace period. Before the fix, gc decided on a snapshot of
 * the references taken before it listed the store and deleted without
 * looking again, and add never looked whether its upload was still there:
 * an add whose upload had finished but whose row was not yet committed (a
 * slow or stalled add, a short grace) was recorded pointing at deleted
 * content. Both steps are paused through the store seam (no timing).
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { pgCases } from "./pg_server.ts";
import { type Hook, pauseAfterPut, withPausableRepos } from "./pausable_repos.ts";
import type { Repository } from "../src/repo/mod.ts";
import { ContentCollectedError } from "../src/repo/records.ts";

/** The adder, the collector (an hour ahead: the new upload is past its grace) and their hook. */
const withRepos = (
  catalog: string | undefined,
  fn: (adder: Repository, collector: Repository, hook: Hook) => Promise<void>,
) => withPausableRepos("vc_gc_add_", catalog, fn);

const bytes = new TextEncoder().encode("payload");

/** gc runs its whole course while the add's upload is done but not recorded. */
async function gcDuringUnrecordedAdd(adder: Repository, collector: Repository, hook: Hook) {
  const { uploaded, resume } = pauseAfterPut(hook);
  const adding = adder.add("/raced.csv", bytes);
  adding.catch(() => {});
  const key = await uploaded.promise;
  const report = await collector.gc({ graceMs: 60_000 });
  // Unreferenced and past the grace: gc may take it, but then the add must not record it.
  assertEquals(report.deletedObjects, [key]);
  resume.resolve();
  await assertRejects(() => adding, ContentCollectedError, "deleted by a gc");
  assertEquals(await adder.list({ path: "/raced.csv" }), []);
  assertEquals((await adder.check()).ok, true);
  // The next add of the path goes through.
  const again = await adder.add("/raced.csv", bytes);
  assertEquals((await adder.store.head(again.contentKey))?.size, bytes.length);
}

/**
 * gc deletes the add's upload, then fails before its transaction commits (the
 * store's answer lost after the delete was done, the catalog's connection
 * lost): its mark must still tell the add that content went. Before, the mark
 * was written only in that transaction, so it rolled back with it, and the
 * add recorded content that was gone.
 */
async function gcFailsAfterDeleting(adder: Repository, collector: Repository, hook: Hook) {
  const { uploaded, resume } = pauseAfterPut(hook);
  const adding = adder.add("/raced.csv", bytes);
  adding.catch(() => {});
  const key = await uploaded.promise;
  hook.afterDelete = () => {
    hook.afterDelete = undefined;
    return Promise.reject(new Error("connection reset after the delete"));
  };
  await assertRejects(() => collector.gc({ graceMs: 60_000 }), Error, "connection reset");
  assertEquals(await adder.store.head(key), undefined, "gc did delete the upload");
  resume.resolve();
  await assertRejects(() => adding, ContentCollectedError, "deleted by a gc");
  assertEquals(await adder.list({ path: "/raced.csv" }), []);
  assertEquals((await adder.check()).ok, true);
}

/**
 * The add commits after gc listed the store and before gc purges and
 * deletes. Its record is unpublished, and gc's clock, an hour ahead, takes
 * its creation for one past the grace period: a gc that purged it (its
 * listing moved before the purge) deleted the content of an add that had
 * just succeeded. A record recorded once gc began is a later run's.
 */
async function addCommitsBeforeGcDeletes(adder: Repository, collector: Repository, hook: Hook) {
  const { uploaded, resume } = pauseAfterPut(hook);
  const listed = Promise.withResolvers<void>();
  const recorded = Promise.withResolvers<void>();
  hook.afterList = () => {
    hook.afterList = undefined;
    listed.resolve();
    return recorded.promise;
  };
  const adding = adder.add("/raced.csv", bytes);
  adding.catch(() => {});
  const key = await uploaded.promise;
  const collecting = collector.gc({ graceMs: 60_000 });
  collecting.catch(() => {});
  await listed.promise; // gc saw the upload, unreferenced
  resume.resolve();
  const record = await adding; // recorded now
  assertEquals(record.contentKey, key);
  recorded.resolve();
  const report = await collecting;
  assertEquals(report.deletedObjects, []);
  assert(await adder.store.head(key) !== undefined, "recorded content survives gc");
  assertEquals((await adder.check()).ok, true);
}

Deno.test("gc racing add (SQLite): an add whose upload gc deleted records nothing", () =>
  withRepos(undefined, gcDuringUnrecordedAdd));

Deno.test("gc racing add (SQLite): gc keeps content recorded after it listed the store", () =>
  withRepos(undefined, addCommitsBeforeGcDeletes));

Deno.test("gc racing add (SQLite): a gc that fails after deleting still stops the add", () =>
  withRepos(undefined, gcFailsAfterDeleting));

pgCases("gc racing add (PostgreSQL)", [
  [
    "a gc that fails after deleting still stops the add",
    (url) => withRepos(url, gcFailsAfterDeleting),
  ],
  [
    "an add whose upload gc deleted records nothing",
    (url) => withRepos(url, gcDuringUnrecordedAdd),
  ],
  [
    "gc keeps content recorded after it listed the store",
    (url) => withRepos(url, addCommitsBeforeGcDeletes),
  ],
]);
