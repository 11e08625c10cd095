/**
 * A catalog written by an older vc (schema version 1, no `path_key`; version
 * 2, no `tag_key`) is upgraded by the first vc that opens it (of two opening
 * it at once, one upgrades): the Unicode spellings of the paths and tags it
 * already holds, in any mix of composed and decomposed letters, are found by
 * the new checks at once, the two spellings of a tag such a catalog already
 * holds both go on working, and a later open finds nothing left to do.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { type Catalog, CatalogUnavailableError } from "../src/repo/catalog.ts";
import { type PgCase, pgCases } from "./pg_server.ts";

const mixed = "/caf\u00e9/cre\u0300me.txt"; // one segment composed, one decomposed
const tagged = "/\u00e9te\u0301.txt"; // two accents in one segment, one of each

// Set in two spellings (mixed, NFC) by a vc without the tag check.
const legacyTag = "cr\u00e8me-e\u0301t\u00e9";

/**
 * Turns a catalog back into what vc `version` wrote (1: before `path_key`,
 * 2: before `tag_key`), with paths and tags recorded by it.
 */
async function downgrade(catalog: Catalog, version: 1 | 2): Promise<void> {
  await catalog.transaction("write", async (tx) => {
    for (const table of ["record_tags", "path_tags"]) {
      await tx.query(`DROP INDEX ${table}_tag_key`);
      await tx.query(`ALTER TABLE ${table} DROP COLUMN tag_key`);
    }
    if (version === 1) {
      for (const table of ["records", "path_tags"]) {
        await tx.query(`DROP INDEX ${table}_path_key`);
        await tx.query(`ALTER TABLE ${table} DROP COLUMN path_key`);
      }
    }
    await tx.query("UPDATE vc_meta SET value = $1 WHERE key = 'schema_version'", [
      String(version),
    ]);
    // Version 2 keeps the keys of the paths it records.
    const key = (path: string) => version === 1 ? [] : [path.normalize("NFC")];
    const keyColumn = version === 1 ? "" : ", path_key";
    const keyValue = (at: number) => version === 1 ? "" : `, $${at}`;
    const ids = await tx.query(
      `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at${keyColumn})
       VALUES ($1, 'unpublished', 'content/old', 1, $2, 'h', 1${keyValue(3)}) RETURNING id`,
      [mixed, "0".repeat(32), ...key(mixed)],
    );
    await tx.query(
      `INSERT INTO path_tags (path, tag${keyColumn}) VALUES ($1, 'eu'${keyValue(2)})`,
      [tagged, ...key(tagged)],
    );
    await tx.query("INSERT INTO record_tags (record_id, tag) VALUES ($1, $2)", [
      ids[0]!.id!,
      legacyTag,
    ]);
    await tx.query("INSERT INTO path_tags (path, tag) VALUES ('/p', $1)", [
      legacyTag.normalize("NFC"),
    ]);
  });
}

async function upgradeOnOpen(catalog: string | undefined, from: 1 | 2): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_upgrade_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const init = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await downgrade(init.catalog, from);
    await init.close();
    // Two processes opening it at once: one upgrades, the other finds it done.
    await Promise.all([Repository.open(uri), Repository.open(uri)].map(async (opened) => {
      await (await opened).close();
    }));
    for (let open = 0; open < 2; open++) {
      await using repo = await Repository.open(uri);
      const version = await repo.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT value FROM vc_meta WHERE key = 'schema_version'"),
      );
      assertEquals(String(version[0]?.value), "3");
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
      // A third spelling of the tag it holds in two is refused; its two work on.
      await assertRejects(
        () => repo.tag({ path: tagged }, [legacyTag.normalize("NFD")]),
        InvalidInputError,
        "NFC vs NFD",
      );
      for (const spelling of [legacyTag, legacyTag.normalize("NFC")]) {
        assertEquals(await repo.tag({ path: `/t${open}` }, [spelling]), [spelling]);
      }
      assertEquals((await repo.find({ any: [legacyTag] })).length, 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const from of [1, 2] as const) {
  Deno.test(`repo: a version ${from} SQLite catalog is upgraded on open; old twins are refused`, () =>
    upgradeOnOpen(undefined, from));
}

/**
 * A catalog a newer vc wrote (a schema version past this vc's, or one that
 * is no number) is refused on open, naming the version: this vc would write
 * records and tags without that vc's columns (as a version 2 vc would have
 * written tags without `tag_key`), breaking its checks.
 */
async function newerRefused(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_newer_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const init = await Repository.init(uri, catalog === undefined ? {} : { catalog });
    await init.add("/a.txt", new Uint8Array([1]));
    const { uri: snapshot } = await init.backup();
    // "", "0", "2.5", "1e0" are no version vc writes: taken for older ones,
    // their upgrade failed with an internal "duplicate column name".
    for (const version of ["4", "banana", "", "0", "2.5", "1e0"]) {
      await init.catalog.transaction("write", async (tx) => {
        await tx.query("UPDATE vc_meta SET value = $1 WHERE key = 'schema_version'", [version]);
      });
      await assertRejects(
        () => Repository.open(uri),
        CatalogUnavailableError,
        `schema version ${JSON.stringify(version)}, which this vc does not know`,
      );
      // A forced restore does not write into it as if it were older either
      // (it restored into a version 4 catalog, records without its columns).
      await assertRejects(
        () => Repository.restore(uri, snapshot, { force: true }),
        CatalogUnavailableError,
        `schema version ${JSON.stringify(version)}, which this vc does not know`,
      );
      const rows = await init.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT value FROM vc_meta WHERE key = 'schema_version'"),
      );
      assertEquals(rows[0]?.value, version);
    }
    await init.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: a SQLite catalog of a newer schema version is refused on open", () =>
  newerRefused(undefined));

pgCases("repo: PostgreSQL catalogs of other schema versions", [
  ...([1, 2] as const).map((from): PgCase => [
    `a version ${from} PostgreSQL catalog is upgraded on open; old twins are refused`,
    (url) => upgradeOnOpen(url, from),
  ]),
  ["a PostgreSQL catalog of a newer schema version is refused on open", newerRefused],
]);
