/**
 * `vc repo` durations at their limits: a claim ttl or a GC period far beyond
 * any real one is refused (claim) or means "never" (gc) with a clear answer,
 * never an internal error from a number the catalog cannot hold.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { pgCases } from "./pg_server.ts";
import { IntegrityError, InvalidInputError } from "../src/errors.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectInfo, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";
import { catalogClock } from "../src/repo/repository.ts";
import { systemClock } from "../src/clock.ts";

async function withRepo(catalog: string | undefined, fn: (repo: Repository) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_limits_" });
  const uri = pathToFileURL(join(dir, "store")).href;
  const repo = await Repository.init(uri, catalog ? { catalog } : {});
  try {
    await fn(repo);
  } finally {
    await repo.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function limits(repo: Repository) {
  const r = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["t"] });
  await repo.publish(r.id);
  for (const ttlMs of [1e17, 1e300, Number.MAX_SAFE_INTEGER]) {
    await assertRejects(() => repo.claim({ tag: "t", ttlMs }), InvalidInputError, "366 days");
  }
  // Nothing was claimed by the refused calls.
  assertEquals((await repo.get(r.id)).claimedBy, null);
  const report = await repo.gc({ graceMs: 1e21, retentionMs: 1e21 });
  assertEquals(report.deletedObjects, []);
  await assertRejects(() => repo.gc({ graceMs: -1 }), InvalidInputError, "grace");
  assertEquals((await repo.get(r.id)).state, "published");
}

Deno.test("repo limits: SQLite catalog", () => withRepo(undefined, limits));

// gc leaves a record under a live claim alone (tests/repo_gc_claims_test.ts);
// an explicit expire ends the claim.
Deno.test("renewing a claim an expire ended says why", async () => {
  await withRepo(undefined, async (repo) => {
    const a = await repo.add("/p", new TextEncoder().encode("1"), { tags: ["w"] });
    await repo.publish(a.id);
    const claim = await repo.claim({ tag: "w", ttlMs: 3_600_000 });
    await repo.expire(a.id);
    await assertRejects(
      () => repo.renew(a.id, claim!.holder, 60_000),
      Error,
      "the record is expired, which ended the claim",
    );
  });
});

Deno.test("repo add refuses an upload a lying store cannot show is ours (opaque ETag, no vc-md5)", async () => {
  // A proxy that rewrites ETags and drops metadata.
  class Lying extends WrappingStore {
    override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      await this.inner.put(key, body, options);
      return { etag: '"opaque-1"' };
    }
    override async head(key: string): Promise<ObjectInfo | undefined> {
      const info = await this.inner.head(key);
      return info && { ...info, etag: '"opaque-1"', metadata: {} };
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_limits_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const repo = await Repository.init(uri, {
      openStore: async (u) => new Lying(await openStore(u)),
    });
    try {
      await assertRejects(
        () => repo.add("/a.txt", new TextEncoder().encode("a")),
        IntegrityError,
        "no vc-md5 metadata was stored",
      );
      assertEquals(await repo.list(), []);
    } finally {
      await repo.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

pgCases("repo on PostgreSQL", [
  ["repo limits: PostgreSQL catalog", (url) => withRepo(url, limits)],
  [
    "repo on PostgreSQL: claims use the database server's time, not a skewed machine clock",
    async (url) => {
      const dir = await Deno.makeTempDir({ prefix: "vc_repo_clock_" });
      try {
        await using repo = await Repository.init(`file://${dir}/store`, { catalog: url });
        // Opened without a clock: the server's time (here, this machine's).
        assert(
          Math.abs(repo.clock.now() - Date.now()) < 2_000,
          "the repository runs on server time",
        );
        for (const skew of [3_600_000, -3_600_000]) {
          const skewed = { now: () => Date.now() + skew, sleep: systemClock.sleep };
          const clock = await catalogClock(repo.catalog, skewed);
          const off = clock.now() - Date.now();
          assert(Math.abs(off) < 2_000, `a clock ${skew} ms off reads ${off} ms off server time`);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  ],
]);
