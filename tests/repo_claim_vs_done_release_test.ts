/**
 * A claim racing the release of a lapsed claim that marks the record done
 * (`release(id, holder, { untag: ["todo"], tag: ["done"] })`, allowed as
 * nobody took the record): on PostgreSQL the claim's locking SELECT
 * rechecked the row it locked against the release's new values (free), but
 * the tag against its own older snapshot (still `todo`), so the claim handed
 * out the record the release had just marked done (about 1 round in 300):
 * the work was done twice. Each round here races one such release against
 * three claims; a claim must never return a record without its tag. Run on
 * both catalogs, bounded in rounds.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

const ROUNDS = 300;

onSqliteAndPostgres({
  sqlite: "repo claim: never hands out a record a lapsed claim's release marked done (SQLite)",
  postgres:
    "repo claim: never hands out a record a lapsed claim's release marked done (PostgreSQL)",
}, async (catalog) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_claim_vs_done_release_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog ? { catalog } : {});
    const open = () => Repository.open(uri, catalog ? { postgresUrl: catalog } : {});
    await using a = await open();
    const workers = [await open(), await open(), await open()];
    try {
      const wrong: string[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const added = await repo.add(`/r/${i}`, new TextEncoder().encode(`${i}`), {
          tags: ["todo"],
        });
        const id = (await repo.publish(added.id)).id;
        // A's claim, whose ttl passed while nobody took the record.
        await repo.catalog.transaction(
          "write",
          (tx) =>
            tx.query("UPDATE records SET claimed_by = 'A', claim_until = $1 WHERE id = $2", [
              repo.clock.now() - 1_000,
              id,
            ]),
        );
        const [, ...claims] = await Promise.all([
          a.release(id, "A", { untag: ["todo"], tag: ["done"] }).catch(() => undefined),
          ...workers.map((w, k) => w.claim({ tag: "todo", ttlMs: 60_000, holder: `w${k}` })),
        ]);
        for (const claim of claims) {
          if (claim === undefined) continue;
          if (!claim.record.tags.includes("todo")) {
            wrong.push(`${claim.record.id}: ${claim.record.tags.join(",")}`);
          }
          await repo.release(claim.record.id, claim.holder, { untag: ["todo"], tag: ["done"] });
        }
      }
      assertEquals(wrong, [], "claims that handed out a record marked done");
    } finally {
      for (const w of workers) await w.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
