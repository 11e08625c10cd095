/**
 * One catalog, one repository: a second `init` on a catalog in use, a
 * marker pointing at another repository's catalog and a forced restore into
 * it are refused, leaving the first repository's records and files intact
 * (two repositories sharing a catalog would gc, purge and restore each
 * other's data). And a damaged SQLite catalog is rebuilt by the command its
 * error names.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_owner_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: a catalog serves one repository (init, open, restore --force refuse a second)", async () => {
  await withDir(async (dir) => {
    const catalog = `sqlite:${join(dir, "shared.sqlite")}`;
    const first = pathToFileURL(join(dir, "first")).href;
    const second = pathToFileURL(join(dir, "second")).href;
    const repo = await Repository.init(first, { catalog });
    let id: number;
    let snapshot: string;
    try {
      id = (await repo.add("/a.txt", new TextEncoder().encode("first's file"))).id;
      snapshot = (await repo.backup()).uri;
    } finally {
      await repo.close();
    }
    const taken = await assertRejects(
      () => Repository.init(second, { catalog }),
      InvalidInputError,
    );
    assertStringIncludes(taken.message, "already belongs to a vc repository");
    // No marker was written for the second store.
    await assertRejects(
      () => Deno.stat(join(dir, "second", ".vc-repo.json")),
      Deno.errors.NotFound,
    );

    // A second repository with its own catalog, whose marker is then pointed
    // (by hand) at the first one's catalog.
    const own = `sqlite:${join(dir, "own.sqlite")}`;
    // Its own snapshot: the catalog's owner is what refuses its restore.
    let ownSnapshot: string;
    {
      await using repo2 = await Repository.init(second, { catalog: own });
      ownSnapshot = (await repo2.backup()).uri;
    }
    const markerPath = join(dir, "second", ".vc-repo.json");
    const marker = JSON.parse(await Deno.readTextFile(markerPath));
    marker.catalog.path = join(dir, "shared.sqlite");
    await Deno.writeTextFile(markerPath, JSON.stringify(marker));
    const foreign = await assertRejects(() => Repository.open(second), InvalidInputError);
    assertStringIncludes(foreign.message, "belongs to another vc repository");
    const forced = await assertRejects(
      () => Repository.restore(second, ownSnapshot, { force: true }),
      InvalidInputError,
    );
    assertStringIncludes(forced.message, "belongs to another vc repository");
    // The first one's snapshot is refused there at its header, as another's.
    const theirs = await assertRejects(
      () => Repository.restore(second, snapshot, { force: true }),
      InvalidInputError,
    );
    assertStringIncludes(theirs.message, "is a backup of another repository");

    // The first repository is as it was.
    // Its own cache dir: a test never writes into the user's cache.
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const again = await Repository.open(first, { cache });
    try {
      const records = await again.list();
      assertEquals(records.map((r) => r.id), [id]);
      assertEquals(
        await Deno.readTextFile(await again.download(id)),
        "first's file",
      );
    } finally {
      await again.close();
    }
  });
});

Deno.test("repo: restore --catalog of another repository's catalog names that catalog, not the marker's", async () => {
  await withDir(async (dir) => {
    const first = pathToFileURL(join(dir, "first")).href;
    const second = pathToFileURL(join(dir, "second")).href;
    const firstCatalog = join(dir, "first.sqlite");
    const secondCatalog = join(dir, "second.sqlite");
    await (await Repository.init(first, { catalog: `sqlite:${firstCatalog}` })).close();
    const repo = await Repository.init(second, { catalog: `sqlite:${secondCatalog}` });
    let snapshot: string;
    try {
      await repo.add("/a.txt", new TextEncoder().encode("second's file"));
      snapshot = (await repo.backup()).uri;
    } finally {
      await repo.close();
    }
    const refused = await assertRejects(
      () =>
        Repository.restore(second, snapshot, { catalog: `sqlite:${firstCatalog}`, force: true }),
      InvalidInputError,
    );
    assertStringIncludes(refused.message, `catalog sqlite:${firstCatalog} belongs to another`);
    assert(!refused.message.includes(secondCatalog), refused.message);
  });
});

Deno.test("repo: restore --force rebuilds a damaged SQLite catalog, keeping the damaged file aside", async () => {
  await withDir(async (dir) => {
    const uri = pathToFileURL(join(dir, "store")).href;
    const repo = await Repository.init(uri);
    let snapshot: string;
    try {
      await repo.add("/a.txt", new TextEncoder().encode("kept"));
      snapshot = (await repo.backup()).uri;
    } finally {
      await repo.close();
    }
    const file = join(dir, "store", ".vc~repo.sqlite");
    // Not a database any more (its header overwritten).
    await Deno.writeFile(file, new Uint8Array(8192).fill(0xff));
    await assertRejects(() => Repository.open(uri));
    const counts = await Repository.restore(uri, snapshot, { force: true });
    assertEquals(counts.records, 1);
    const reopened = await Repository.open(uri);
    try {
      assertEquals((await reopened.list()).map((r) => r.path), ["/a.txt"]);
    } finally {
      await reopened.close();
    }
    const aside = [...Deno.readDirSync(join(dir, "store"))].map((e) => e.name)
      .filter((n) => n.startsWith(".vc~repo.sqlite.damaged-"));
    assertEquals(aside.length, 1, "the damaged file is kept aside, not deleted");
    assert((await Deno.stat(join(dir, "store", aside[0]!))).size === 8192);
  });
});
