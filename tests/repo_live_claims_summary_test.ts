/**
 * What `vc repo claim` says when nothing is free: how many matching records
 * live claims hold and the one that lapses first. It read the queue a
 * listing page (5,000 records, with their tags) at a time, five times the
 * 1,000 records the README promises, and named the earliest until of those
 * it read as the first of all: one statement now reads at most 1,001 short
 * rows; past the bound, the note named the first to lapse of the oldest
 * 1,000 only, while another lapsed sooner: now one more one-row query finds
 * the first of all.
 */
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";
import { liveClaims } from "../src/repo/claims.ts";
import type { SqlValue } from "../src/repo/catalog.ts";

Deno.test("live claims: counted up to the bound, the first to lapse of those counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_live_claims_" });
  try {
    await using repo = await Repository.init(`file://${dir}`);
    const now = repo.clock.now();
    const n = 1_500;
    // Held by a dead worker: the later the id, the sooner its claim lapses.
    await repo.catalog.transaction("write", async (tx) => {
      for (let start = 0; start < n; start += 100) {
        const rows: SqlValue[] = [];
        const values: string[] = [];
        for (let i = start; i < start + 100; i++) {
          const b = rows.length;
          values.push(
            `($${b + 1}, 'published', $${b + 2}, 1, 'd41d8cd98f00b204e9800998ecf8427e', 'h', ` +
              `$${b + 3}, $${b + 3}, 'dead', $${b + 4})`,
          );
          rows.push(`/p/${i}`, `content/c-${i}`, now, now + 3_600_000 + (n - i) * 1000);
        }
        const ids = await tx.query(
          "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at, " +
            `published_at, claimed_by, claim_until) VALUES ${values.join(", ")} RETURNING id`,
          rows,
        );
        await tx.query(
          "INSERT INTO record_tags (record_id, tag, tag_key) VALUES " +
            ids.map((_, k) => `($${k + 1}, 'todo', 'todo')`).join(", "),
          ids.map((r) => Number(r.id)),
        );
      }
    });
    // The first to lapse of all of them, past the 1,000 counted: what a
    // worker finding the queue held waits for (the first of the oldest
    // 1,000 lapsed 500 s after it).
    const last = (await repo.list({ state: "published" }))[n - 1]!;
    for (const filter of [{}, { tag: "todo" }]) {
      const held = await liveClaims(repo.catalog, now, filter);
      assertEquals(held.count, 1_000, "counts up to the bound");
      assertEquals(held.more, true);
      assertEquals(held.first?.id, last.id, "the first of all to lapse");
      assertEquals(held.first?.claimedBy, "dead");
    }
    assertEquals((await liveClaims(repo.catalog, now, { tag: "other" })).count, 0);
    assertEquals((await liveClaims(repo.catalog, now, { path: "/p/3" })).count, 1);
    // Lapsed claims hold nothing.
    assertEquals((await liveClaims(repo.catalog, now + 1e10, {})).first, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
