/**
 * A claim on a PostgreSQL catalog while another session tags the one free
 * record (`vc repo tag 42 eu` by a producer, or any insert of a tag, whose
 * foreign-key check takes the same lock): the claim's `FOR UPDATE SKIP
 * LOCKED` skipped every row any other transaction held even `FOR KEY
 * SHARE`, so it answered "nothing to claim" (`null`) while a free published
 * record was there, and a worker looping `while claim != null` stopped with
 * work left. A claim changes no key of the row: it now locks it `FOR NO KEY
 * UPDATE SKIP LOCKED`, which a tagger's key-share lock does not block, and
 * still skips a row another claim (or a publish, expire or gc) holds.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo claim: a free record another session is tagging is claimed, not skipped",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_claim_tag_" });
    const other = await openPostgresCatalog(pg.url, { env: () => undefined });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await using repo = await Repository.init(uri, { catalog: pg.url });
      const record = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["todo"] });
      await repo.publish(record.id);

      // Another session tags the record, as `tag` does, and is not done yet.
      const claimed = await other.transaction("write", async (tx) => {
        await tx.query("SELECT id FROM records WHERE id = $1 FOR KEY SHARE", [record.id]);
        await tx.query("INSERT INTO record_tags (record_id, tag) VALUES ($1, 'eu')", [record.id]);
        return await repo.claim({ tag: "todo", ttlMs: 60_000 });
      });
      assertEquals(claimed?.record.id, record.id);

      // A row another claim (or a state change) holds is still skipped, and
      // claimed once free.
      const next = await repo.add("/b.txt", new TextEncoder().encode("b"), { tags: ["next"] });
      await repo.publish(next.id);
      const skipped = await other.transaction("write", async (tx) => {
        await tx.query("SELECT id FROM records WHERE id = $1 FOR NO KEY UPDATE", [next.id]);
        return await repo.claim({ tag: "next", ttlMs: 60_000 });
      });
      assertEquals(skipped, undefined);
      assertEquals((await repo.claim({ tag: "next", ttlMs: 60_000 }))?.record.id, next.id);
    } finally {
      await other.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
