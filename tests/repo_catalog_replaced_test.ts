/**
 * A process that opened a repository (a worker, a long-lived library user)
 * and whose catalog is then replaced under it: a restore moving the
 * repository to another catalog (`--catalog`), or the SQLite file moved or
 * rebuilt over its path. Its transactions must fail loudly, changing
 * nothing, never write into the old catalog where no command reads again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CatalogReplacedError, Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Content objects under the store's `content/` (a failed add leaves none). */
async function contentFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const shard of Deno.readDir(join(dir, "content"))) {
    for await (const file of Deno.readDir(join(dir, "content", shard.name))) {
      found.push(file.name);
    }
  }
  return found;
}

Deno.test("repo: a restore moving the repository to another catalog fails what an open repository does next", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_moved_" });
  try {
    const store = join(dir, "store");
    const uri = pathToFileURL(store).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", bytes("a"));
      snapshot = (await repo.backup()).uri;
    }
    await using live = await Repository.open(uri);
    const moved = join(dir, "moved.sqlite");
    await Repository.restore(uri, snapshot, { catalog: `sqlite:${moved}` });
    const before = await contentFiles(store);
    const refused = await assertRejects(
      () => live.add("/b.txt", bytes("b")),
      CatalogReplacedError,
    );
    assertStringIncludes(refused.message, `sqlite:${moved}`);
    assertStringIncludes(refused.message, "open the repository again");
    // Nothing recorded it, so its upload was deleted.
    assertEquals((await contentFiles(store)).sort(), before.sort());
    await assertRejects(() => live.list(), CatalogReplacedError);
    await assertRejects(() => live.claim({ ttlMs: 60_000 }), CatalogReplacedError);
    {
      // Opened again: the catalog the restore moved it to.
      await using again = await Repository.open(uri);
      await again.add("/c.txt", bytes("c"));
      assertEquals((await again.list()).map((r) => r.path), ["/a.txt", "/c.txt"]);
    }
    // Restored back into the catalog it moved from, that one is the
    // repository's again, and the one it left is refused in turn.
    await using onMoved = await Repository.open(uri);
    const back = (await onMoved.backup()).uri;
    await Repository.restore(uri, back, {
      catalog: `sqlite:${join(store, ".vc~repo.sqlite")}`,
      force: true,
    });
    await assertRejects(() => onMoved.add("/x.txt", bytes("x")), CatalogReplacedError);
    await using reopened = await Repository.open(uri);
    await reopened.add("/d.txt", bytes("d"));
    assertEquals((await reopened.list()).map((r) => r.path), ["/a.txt", "/c.txt", "/d.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: a restore naming the same catalog by another path leaves an open repository working", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_moved_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await Deno.mkdir(join(dir, "catalogs"));
    await Deno.symlink(join(dir, "catalogs"), join(dir, "link"));
    let snapshot: string;
    {
      await using repo = await Repository.init(uri, {
        catalog: `sqlite:${join(dir, "catalogs", "c.sqlite")}`,
      });
      await repo.add("/a.txt", bytes("a"));
      snapshot = (await repo.backup()).uri;
    }
    await using live = await Repository.open(uri);
    // The same file through a link: no move, nothing to refuse.
    await Repository.restore(uri, snapshot, {
      catalog: `sqlite:${join(dir, "link", "c.sqlite")}`,
      force: true,
    });
    await live.add("/b.txt", bytes("b"));
    await using again = await Repository.open(uri);
    assertEquals((await again.list()).map((r) => r.path), ["/a.txt", "/b.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: a SQLite catalog file moved over or removed under an open repository is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_replaced_" });
  try {
    const store = join(dir, "store");
    const uri = pathToFileURL(store).href;
    const catalog = join(store, ".vc~repo.sqlite");
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", bytes("a"));
    }
    await using live = await Repository.open(uri);
    // A saved copy put back as rsync or mv does: a new file at the path.
    await Deno.copyFile(catalog, `${catalog}.saved`);
    await Deno.rename(`${catalog}.saved`, catalog);
    const before = await contentFiles(store);
    const refused = await assertRejects(
      () => live.add("/b.txt", bytes("b")),
      CatalogReplacedError,
    );
    assertStringIncludes(refused.message, catalog);
    assertStringIncludes(refused.message, "replaced");
    assertEquals((await contentFiles(store)).sort(), before.sort());
    await assertRejects(() => live.current("/a.txt"), CatalogReplacedError);
    {
      await using again = await Repository.open(uri);
      assertEquals((await again.list()).map((r) => r.path), ["/a.txt"]);
    }
    // Removed: refused the same way, not written into the unlinked file.
    await using other = await Repository.open(uri);
    await Deno.rename(catalog, `${catalog}.aside`);
    const gone = await assertRejects(() => other.add("/c.txt", bytes("c")), CatalogReplacedError);
    assertStringIncludes(gone.message, "removed");
    await Deno.rename(`${catalog}.aside`, catalog);
    await using last = await Repository.open(uri);
    assert((await last.list()).every((r) => r.path !== "/c.txt"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repo: a restore moving a PostgreSQL repository to SQLite fails an open repository's writes",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_catalog_moved_pg_" });
    try {
      const uri = pathToFileURL(join(dir, "store")).href;
      let snapshot: string;
      {
        await using repo = await Repository.init(uri, { catalog: pg.url });
        await repo.add("/a.txt", bytes("a"));
        await repo.publish((await repo.list())[0]!.id);
        snapshot = (await repo.backup()).uri;
      }
      await using live = await Repository.open(uri);
      await Repository.restore(uri, snapshot, { catalog: `sqlite:${join(dir, "c.sqlite")}` });
      await assertRejects(() => live.claim({ ttlMs: 60_000 }), CatalogReplacedError);
      await assertRejects(() => live.add("/b.txt", bytes("b")), CatalogReplacedError);
      await using again = await Repository.open(uri);
      assertEquals(again.marker.catalog.kind, "sqlite");
      assert((await again.claim({ ttlMs: 60_000 })) !== null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
