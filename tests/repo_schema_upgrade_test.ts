/**
 * A catalog written by an older vc (schema version 1, no `path_key`) is
 * upgraded by the first vc that opens it: the Unicode spellings of the paths
 * it already holds, in any mix of composed and decomposed letters, are found
 * by the new check at once, and a second open finds nothing left to do.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import type { Catalog } from "../src/repo/catalog.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const mixed = "/caf\u00e9/cre\u0300me.txt"; // one segment composed, one decomposed
const tagged = "/\u00e9te\u0301.txt"; // two accents in one segment, one of each

/** Turns a catalog back into what vc wrote before `path_key`, with paths recorded by it. */
async function downgrade(catalog: Catalog): Promise<void> {
  await catalog.transaction("write", async (tx) => {
    for (const table of ["records", "path_tags"]) {
      await tx.query(`DROP INDEX ${table}_path_key`);
      await tx.query(`ALTER TABLE ${table} DROP COLUMN path_key`);
    }
    await tx.query("UPDATE vc_meta SET value = '1' WHERE key = 'schema_version'");
    await tx.query(
      `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at)
       VALUES ($1, 'unpublished', 'content/old', 1, $2, 'h', 1)`,
      [mixed, "0".repeat(32)],
    );
    await tx.query("INSERT INTO path_tags (path, tag) VALUES ($1, 'eu')", [tagged]);
  });
}

async function upgradeOnOpen(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_qa21_upgrade_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const init = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await downgrade(init.catalog);
    await init.close();
    for (let open = 0; open < 2; open++) {
      await using repo = await Repository.open(uri);
      const version = await repo.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT value FROM vc_meta WHERE key = 'schema_version'"),
      );
      assertEquals(String(version[0]?.value), "2");
      for (const twin of [mixed.normalize("NFC"), mixed.normalize("NFD")]) {
        await assertRejects(
          () => repo.add(twin, new Uint8Array([1])),
          InvalidInputError,
          "NFC vs NFD",
        );
      }
      await assertRejects(
        () => repo.tag({ path: tagged.normalize("NFC") }, ["x"]),
        InvalidInputError,
        "NFC vs NFD",
      );
      // The paths' own spellings work as before.
      assertEquals((await repo.add(mixed, new Uint8Array([2]))).path, mixed);
      assertEquals(await repo.tag({ path: tagged }, [`t${open}`]), [`t${open}`]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: a version 1 SQLite catalog is upgraded on open; old twins are refused", () =>
  upgradeOnOpen(undefined));

Deno.test({
  name: "repo: a version 1 PostgreSQL catalog is upgraded on open; old twins are refused",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await upgradeOnOpen(pg.url);
  },
});
