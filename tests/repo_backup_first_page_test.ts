/**
 * A SQLite catalog's backup pages by keyset, and its first page started
 * after id 0 and after the empty path: a record with id 0 and a tag with an
 * empty path or tag (put there by hand; vc writes none) were left out of the
 * snapshot without a word. Every row is in the snapshot now, for the
 * restore to refuse naming it, as a PostgreSQL backup has it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { snapshotCatalog } from "../src/repo/backup.ts";
import { Repository } from "../src/repo/mod.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assertEquals } from "./assert.ts";

Deno.test("repo backup (SQLite): rows before the first keyset bound are in the snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_backup_first_page_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await (await Repository.init(uri, { catalog: `sqlite:${join(dir, "c.sqlite")}` })).close();
    const db = new DatabaseSync(join(dir, "c.sqlite"));
    try {
      const record = db.prepare(`INSERT INTO records (id, path, state, content_key, size, md5,
          origin_host, created_at, published_at, path_key)
        VALUES (?, ?, 'published', ?, 1, '00000000000000000000000000000000', 'h', 1, 2, ?)`);
      for (const id of [0, 1]) record.run(id, `/r/${id}`, `content/${id}.bin`, `/r/${id}`);
      const tag = db.prepare("INSERT INTO record_tags (record_id, tag, tag_key) VALUES (?, ?, ?)");
      tag.run(0, "", "");
      tag.run(1, "t", "t");
      const pathTag = db.prepare(
        "INSERT INTO path_tags (path, tag, path_key, tag_key) VALUES (?, ?, ?, ?)",
      );
      pathTag.run("", "", "", "");
      pathTag.run("/r/1", "t", "/r/1", "t");
    } finally {
      db.close();
    }
    const catalog = await openSqliteCatalog(join(dir, "c.sqlite"));
    try {
      const { counts } = await snapshotCatalog(catalog, { createdAt: "x" }, join(dir, "b.gz"));
      assertEquals(counts, { records: 2, recordTags: 2, pathTags: 2 });
    } finally {
      await catalog.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
