/**
 * A worker's "done" after a claim it lost. The README's worker untagged
 * `todo`, tagged `done`, then released: a worker whose claim lapsed while it
 * worked (its ttl passed, another worker claimed the record and is now
 * processing it) still marked the record done, under the other worker's
 * live claim; only the release after it failed. `release(id, holder,
 * { untag, tag })` changes the tags in the release's own transaction, only
 * while the holder still holds the claim: a lost claim is `ClaimLostError`
 * with no tag changed, on SQLite and PostgreSQL alike.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { ClaimLostError, Repository } from "../src/repo/mod.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { type PgCase, pgCases } from "./pg_server.ts";

type Case = (repo: Repository, clock: ManualClock, id: number) => Promise<void>;

async function withQueue(catalog: string | undefined, fn: Case) {
  const dir = await Deno.makeTempDir({ prefix: "vc_release_done_if_held_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 11, 6));
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href, {
      clock,
      ...(catalog ? { catalog } : {}),
    });
    const added = await repo.add("/a.csv", new TextEncoder().encode("a"), { tags: ["todo"] });
    await fn(repo, clock, (await repo.publish(added.id)).id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DONE = { untag: ["todo"], tag: ["done"] };

const cases: [string, Case][] = [
  [
    "a claim that lapsed and another worker took: its holder's done is refused, tags unchanged",
    async (repo, clock, id) => {
      const first = await repo.claim({ tag: "todo", ttlMs: 1_000, holder: "w1" });
      assertEquals(first?.record.id, id);
      clock.advance(5_000); // w1 works past its ttl
      const second = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w2" });
      assertEquals(second?.record.id, id);
      await assertRejects(
        () => repo.release(id, "w1", DONE),
        ClaimLostError,
        "its tags were not changed",
      );
      const now = await repo.get(id);
      assertEquals([now.tags, now.claimedBy], [["todo"], "w2"]);
      // w2 finishes: done, released.
      const done = await repo.release(id, "w2", DONE);
      assertEquals([done.tags, done.claimedBy], [["done"], null]);
      assertEquals(await repo.claim({ tag: "todo", ttlMs: 1_000, holder: "w3" }), undefined);
    },
  ],
  [
    "a held claim is released and marked done in one step",
    async (repo, _clock, id) => {
      await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w1" });
      const done = await repo.release(id, "w1", DONE);
      assertEquals([done.tags, done.claimedBy, done.claimUntil], [["done"], null, null]);
    },
  ],
  [
    "a claim that lapsed while nobody took the record is still its holder's to finish",
    async (repo, clock, id) => {
      await repo.claim({ tag: "todo", ttlMs: 1_000, holder: "w1" });
      clock.advance(5_000);
      assertEquals((await repo.release(id, "w1", DONE)).tags, ["done"]);
    },
  ],
  [
    "a claim another worker took and released (it gave up) is not finished by the first",
    async (repo, clock, id) => {
      await repo.claim({ tag: "todo", ttlMs: 1_000, holder: "w1" });
      clock.advance(5_000);
      await repo.claim({ tag: "todo", ttlMs: 1_000, holder: "w2" });
      await repo.release(id, "w2");
      await assertRejects(() => repo.release(id, "w1", DONE), ClaimLostError, "nobody does");
      assertEquals((await repo.get(id)).tags, ["todo"]);
    },
  ],
];

for (const [name, run] of cases) {
  Deno.test(`repo release --untag/--tag: ${name} (SQLite)`, () => withQueue(undefined, run));
}
pgCases(
  "repo release --untag/--tag on a PostgreSQL catalog",
  cases.map(([name, run]): PgCase => [name, (url) => withQueue(url, run)]),
);
