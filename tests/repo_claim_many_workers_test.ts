/**
 * A team of workers on one queue: several workers, each with a repository
 * of its own (its own connections), claim from the same tagged records at
 * once, each finishing a record with `release(…, { untag, tag })` before its
 * next claim. Every record is handed out exactly once, all of them are done,
 * and each worker's loop ends at the first `undefined` (bounded by the
 * records' count), on SQLite and on PostgreSQL.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

const RECORDS = 60;
const WORKERS = 6;

onSqliteAndPostgres({
  sqlite: "repo claim: many workers at once take each record once (SQLite)",
  postgres: "repo claim: many workers at once take each record once (PostgreSQL)",
}, async (catalog) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_claim_many_workers_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await using repo = await Repository.init(uri, catalog ? { catalog } : {});
    for (let i = 0; i < RECORDS; i++) {
      const r = await repo.add(`/q/${i}.csv`, new TextEncoder().encode(`${i}`), { tags: ["todo"] });
      await repo.publish(r.id);
    }
    const taken = await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        await using mine = await Repository.open(uri, catalog ? { postgresUrl: catalog } : {});
        const ids: number[] = [];
        for (let n = 0; n <= RECORDS; n++) {
          const claim = await mine.claim({ tag: "todo", ttlMs: 60_000, holder: `worker-${w}` });
          if (claim === undefined) break;
          ids.push(claim.record.id);
          await mine.release(claim.record.id, claim.holder, { untag: ["todo"], tag: ["done"] });
        }
        return ids;
      }),
    );
    const all = taken.flat().sort((a, b) => a - b);
    assertEquals(all.length, RECORDS, `claims per worker: ${taken.map((t) => t.length)}`);
    assertEquals(new Set(all).size, RECORDS);
    assertEquals((await repo.list({ tag: "done" })).length, RECORDS);
    assertEquals(await repo.list({ tag: "todo" }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
