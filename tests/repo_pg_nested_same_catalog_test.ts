/**
 * A transaction begun inside another's body on the same PostgreSQL catalog
 * (a library caller's `repo.catalog.transaction` whose body awaits a
 * `Repository` method of that repository): it took another connection of
 * the pool, so it worked while the pool had one free and the body held no
 * row it needed. Otherwise it waited for the body, which waited for it: on
 * a pool of one connection, or with as many such bodies at once as the pool
 * has connections, the process hung for good; a publish of a record whose
 * row the body had locked was reported busy after a minute, as held by
 * "another session" (the body's own). Refused at once now, as on SQLite
 * (`tests/repo_sqlite_nested_same_connection_test.ts`), naming the way out.
 * A gc's `onProgress` that lists the repository is no nested transaction.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogBusyError, Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { pgCases } from "./pg_server.ts";

const noEnv = () => undefined;

/** What `work` settles with, or a word of its own once 10 s passed: the hang it bounds. */
async function refusedOrHung(work: Promise<unknown>): Promise<Error | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the nested transaction still waits")), 10_000);
  });
  try {
    return await Promise.race([work, hung]).then(() => undefined, (e: Error) => e);
  } finally {
    clearTimeout(timer);
  }
}

function assertRefused(error: Error | undefined): void {
  assert(error instanceof CatalogBusyError, `${error?.name}: ${error?.message}`);
  assert(error.message.includes("its `tx`"), error.message);
  assert(!error.message.includes("another"), error.message);
}

/** A repository in a temp dir on the catalog `url`, given to `run`. */
async function withRepo(
  url: string,
  run: (repo: Repository, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_pg_nested_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href, {
      catalog: url,
      clock,
    });
    await run(repo, clock);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

pgCases("postgres catalog: a transaction begun inside a body of the same catalog", [
  ["a read inside a read on a pool of one connection is refused, not waited for", async (url) => {
    const catalog = await openPostgresCatalog(url, { env: noEnv, maxConnections: 1 });
    try {
      assertRefused(
        await refusedOrHung(catalog.transaction("read", async (tx) => {
          await tx.query("SELECT 1");
          await catalog.transaction("read", (x) => x.query("SELECT 2"));
        })),
      );
      // The outer transaction ended: the pool's connection takes the next one.
      const rows = await catalog.transaction("read", (tx) => tx.query("SELECT 1 AS one"));
      assertEquals(rows.map((r) => r.one), [1]);
    } finally {
      await catalog.close();
    }
  }],
  [
    "as many bodies at once as the pool has connections, each listing, are refused",
    (url) =>
      withRepo(url, async (repo) => {
        await repo.add("/a.txt", new TextEncoder().encode("a"));
        const errors = await Promise.all(
          [1, 2, 3, 4].map(() =>
            refusedOrHung(repo.catalog.transaction("read", async (tx) => {
              await tx.query("SELECT 1");
              return await repo.list();
            }))
          ),
        );
        for (const error of errors) assertRefused(error);
        assertEquals((await repo.list()).length, 1);
      }),
  ],
  [
    "a publish inside a write that locked its record's row is refused at once",
    (url) =>
      withRepo(url, async (repo) => {
        const record = await repo.add("/a.txt", new TextEncoder().encode("a"));
        assertRefused(
          await refusedOrHung(repo.catalog.transaction("write", async (tx) => {
            await tx.query("UPDATE records SET state = state WHERE id = $1", [record.id]);
            await repo.publish(record.id);
          })),
        );
        assertEquals((await repo.publish(record.id)).state, "published");
      }),
  ],
  [
    "side by side, and from a gc's onProgress, transactions are not nested",
    (url) =>
      withRepo(url, async (repo, clock) => {
        const bytes = new TextEncoder().encode("v");
        await Promise.all([0, 1, 2].map((i) => repo.add(`/a${i}.txt`, bytes)));
        clock.advance(8 * 24 * 3600 * 1000);
        const listed: Promise<number>[] = [];
        const report = await repo.gc({
          onProgress: () => {
            const count = repo.list().then((records) => records.length);
            listed.push(count);
            return count;
          },
        });
        assertEquals(report.purgedUnpublished.length, 3);
        assert(listed.length > 0);
        for (const count of await Promise.all(listed)) assertEquals(count, 3);
      }),
  ],
]);
