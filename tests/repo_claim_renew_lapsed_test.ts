/**
 * A claim is a lease: it holds until its `until`, then ends. Before, its
 * holder could still renew it after that, as long as nobody had taken it
 * meanwhile: a worker that renewed too late was told it still held the
 * record, though for a while any other worker's `claim` could have taken it
 * (and whether one did depended on timing, so the late renewal failed in
 * production only, never in a quiet test). As etcd's lease keep-alive and a
 * Consul session's renew do, a renewal at or after `until` is now refused
 * with `ClaimLostError`, saying the ttl passed; claim again. A release of a
 * lapsed claim nobody took still succeeds: nothing is held after it, which
 * is all a release promises.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { ClaimLostError, Repository } from "../src/repo/mod.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { type PgCase, pgCases } from "./pg_server.ts";

type Case = (repo: Repository, clock: ManualClock, id: number) => Promise<void>;

async function withRepo(catalog: string | undefined, fn: Case) {
  const dir = await Deno.makeTempDir({ prefix: "vc_claim_renew_lapsed_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 10, 30));
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href, {
      clock,
      ...(catalog ? { catalog } : {}),
    });
    const r = await repo.publish((await repo.add("/a", new TextEncoder().encode("a"))).id);
    await fn(repo, clock, r.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const cases: [string, Case][] = [
  [
    "repo renew: a claim renewed before its until holds on",
    async (repo, clock, id) => {
      await repo.claim({ ttlMs: 1_000, holder: "w1" });
      clock.advance(999);
      const renewed = await repo.renew(id, "w1", 1_000);
      assertEquals(renewed.until, new Date(clock.now() + 1_000).toISOString());
      assertEquals(await repo.claim({ ttlMs: 1_000, holder: "w2" }), undefined);
    },
  ],
  [
    "repo renew: a claim whose ttl passed is not renewed, though nobody took it",
    async (repo, clock, id) => {
      await repo.claim({ ttlMs: 1_000, holder: "w1" });
      clock.advance(5_000);
      await assertRejects(() => repo.renew(id, "w1", 1_000), ClaimLostError, "ttl passed");
      // It is free, as it was for any claim since its until.
      assertEquals((await repo.claim({ ttlMs: 1_000, holder: "w2" }))?.record.id, id);
    },
  ],
  [
    "repo renew: at its until a claim has ended, as a claim then takes the record",
    async (repo, clock, id) => {
      await repo.claim({ ttlMs: 1_000, holder: "w1" });
      clock.advance(1_000);
      await assertRejects(() => repo.renew(id, "w1", 1_000), ClaimLostError, "ttl passed");
    },
  ],
  [
    "repo release: a lapsed claim nobody took is released (nothing is held after)",
    async (repo, clock, id) => {
      await repo.claim({ ttlMs: 1_000, holder: "w1" });
      clock.advance(5_000);
      const released = await repo.release(id, "w1");
      assertEquals([released.claimedBy, released.claimUntil], [null, null]);
    },
  ],
];

for (const [name, run] of cases) {
  Deno.test(`${name} (SQLite)`, () => withRepo(undefined, run));
}
pgCases(
  "repo renew/release of a lapsed claim on a PostgreSQL catalog",
  cases.map(([name, run]): PgCase => [name, (url) => withRepo(url, run)]),
);
