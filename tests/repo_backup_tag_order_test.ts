/**
 * A snapshot lists tags in one order whatever the catalog: by UTF-8 bytes,
 * as SQLite sorts text. PostgreSQL sorted them by its database's collation
 * (en: `_z a b B é Z`, SQLite: `B Z _z a b é`), so the same catalog backed up
 * from PostgreSQL and, restored, from SQLite gave snapshots that differed
 * line by line, and a team diffing its snapshots saw changes that were none.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { Repository } from "../src/repo/mod.ts";

async function snapshotText(uri: string): Promise<string> {
  const file = await Deno.open(new URL(uri));
  const text = await new Response(file.readable.pipeThrough(new DecompressionStream("gzip")))
    .text();
  return text.split("\n").slice(1).join("\n"); // without the header (its time and catalog)
}

Deno.test({
  name: "repo backup: a PostgreSQL catalog with a language collation and SQLite give one snapshot",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const catalog = await pg.createDatabase(
      "vc_en",
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en'",
    );
    const dir = await Deno.makeTempDir({ prefix: "vc_backup_tag_order_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      let fromPostgres: string;
      {
        await using repo = await Repository.init(uri, { catalog });
        const r = await repo.add("/a", new TextEncoder().encode("a"), {
          tags: ["b", "B", "a", "_z", "Z", "é"],
        });
        await repo.tag({ path: "/a" }, ["y", "Y"]);
        await repo.tag({ path: "/B" }, ["q"]);
        await repo.tag({ path: "/_a" }, ["q"]);
        fromPostgres = (await repo.backup(pathToFileURL(join(dir, "pg.jsonl.gz")).href)).uri;
        assertEquals(r.id, 1);
      }
      const pgText = await snapshotText(fromPostgres);
      assertEquals(
        pgText.split("\n").filter((l) => l.includes('Tag":')),
        [
          '{"recordTag":[1,"B"]}',
          '{"recordTag":[1,"Z"]}',
          '{"recordTag":[1,"_z"]}',
          '{"recordTag":[1,"a"]}',
          '{"recordTag":[1,"b"]}',
          '{"recordTag":[1,"é"]}',
          '{"pathTag":["/B","q"]}',
          '{"pathTag":["/_a","q"]}',
          '{"pathTag":["/a","Y"]}',
          '{"pathTag":["/a","y"]}',
        ],
      );
      await Repository.restore(uri, fromPostgres, {
        catalog: `sqlite:${join(dir, "moved.sqlite")}`,
      });
      await using repo = await Repository.open(uri);
      const fromSqlite = (await repo.backup(pathToFileURL(join(dir, "sq.jsonl.gz")).href)).uri;
      assertEquals(await snapshotText(fromSqlite), pgText);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
