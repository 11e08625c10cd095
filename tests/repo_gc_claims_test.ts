/**
 * `repo gc` and claims: a claim hands a published record to one worker
 * "until the ttl passes" (README, Repository). GC's "expire superseded
 * versions" is housekeeping, not a decision about that work: a superseded
 * record under a live claim stays published (and claimed) and is reported as
 * kept; once the claim is released or lapses, the next gc expires it. An
 * explicit `expire` still ends a claim. Without this, gc ended the worker's
 * claim (its renew failed) and a later gc with a short retention purged the
 * content while the worker was still reading it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { Repository } from "../src/repo/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";

async function withRepo(
  catalog: string | undefined,
  fn: (repo: Repository, clock: ManualClock) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_claims_" });
  const clock = new ManualClock(Date.UTC(2026, 10, 30));
  const uri = pathToFileURL(join(dir, "store")).href;
  // Its own cache dir: a test never writes into the user's cache.
  const cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
  const repo = await Repository.init(uri, { ...(catalog ? { catalog } : {}), clock, cache });
  try {
    await fn(repo, clock);
  } finally {
    await repo.close();
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);

async function claimedSuperseded(repo: Repository, clock: ManualClock) {
  const a = await repo.add("/p.csv", bytes("one"), { tags: ["todo"] });
  await repo.publish(a.id);
  const claim = await repo.claim({ tag: "todo", ttlMs: 3_600_000, holder: "w1" });
  assertEquals(claim?.record.id, a.id);
  const b = await repo.add("/p.csv", bytes("two"));
  await repo.publish(b.id);
  const c = await repo.add("/q.csv", bytes("q1"));
  const d = await repo.add("/q.csv", bytes("q2"));
  await repo.publish(c.id);
  await repo.publish(d.id);

  clock.advance(1_000);
  const dry = await repo.gc({ dryRun: true, retentionMs: 0 });
  assertEquals([dry.expired, dry.keptClaimed], [[c.id], [a.id]]);
  const first = await repo.gc({ retentionMs: 0 });
  assertEquals([first.expired, first.keptClaimed], [[c.id], [a.id]]);
  clock.advance(1_000);
  const second = await repo.gc({ retentionMs: 0 });
  // The unclaimed superseded record went its way; the claimed one is intact.
  assertEquals(second.purgedExpired, [c.id]);
  assertEquals(second.keptClaimed, [a.id]);
  const held = await repo.get(a.id);
  assertEquals([held.state, held.claimedBy], ["published", "w1"]);
  const renewed = await repo.renew(a.id, "w1", 3_600_000);
  assertEquals(renewed.record.id, a.id);
  assertEquals(await Deno.readTextFile(await repo.download(a.id)), "one");

  // Released (or lapsed): the next gc expires it as usual.
  await repo.release(a.id, "w1");
  clock.advance(1_000);
  const third = await repo.gc();
  assertEquals([third.expired, third.keptClaimed], [[a.id], []]);
  assertEquals((await repo.get(a.id)).state, "expired");
}

async function lapsedClaim(repo: Repository, clock: ManualClock) {
  const a = await repo.add("/p.csv", bytes("one"), { tags: ["todo"] });
  await repo.publish(a.id);
  await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "crashed" });
  const b = await repo.add("/p.csv", bytes("two"));
  await repo.publish(b.id);
  clock.advance(60_000); // the holder crashed: its claim lapsed
  const report = await repo.gc();
  assertEquals([report.expired, report.keptClaimed], [[a.id], []]);
  const record = await repo.get(a.id);
  assertEquals([record.state, record.claimedBy], ["expired", null]);
}

Deno.test("repo gc keeps a superseded record a live claim holds (SQLite)", () =>
  withRepo(undefined, claimedSuperseded));
Deno.test("repo gc expires a superseded record whose claim lapsed (SQLite)", () =>
  withRepo(undefined, lapsedClaim));

Deno.test({
  name: "repo gc and claims (PostgreSQL)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await withRepo(pg.url, claimedSuperseded);
    // The same server (starting another took longer than the case), a fresh database.
    await withRepo(await pg.createDatabase("lapsed"), lapsedClaim);
  },
});
