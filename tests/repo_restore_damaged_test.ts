/**
 * `vc repo restore SNAPSHOT --force` over a damaged SQLite catalog (what the
 * damaged catalog's message tells the user to run), with a snapshot that is
 * itself refused (cut short, or of another repository). The damaged catalog
 * was set aside first and a new one created and given the schema; the
 * snapshot was then refused, leaving that empty catalog at the marker's
 * path: the repository opened with no records, and its next gc would delete
 * all its content as unreferenced. Now the snapshot is checked whole before
 * any catalog is touched, and a rebuild that fails puts the damaged catalog
 * back.
 *
 * A catalog emptied to 0 bytes (a disk that filled up, a file truncated by
 * another tool) did the same without `--force`: SQLite makes an empty file
 * a new database, and the restore gave it the schema before the snapshot
 * was refused. Now an empty file is a damaged catalog for every opening,
 * creating ones too.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CatalogDamagedError } from "../src/repo/catalog.ts";

/** A repository holding `/a.txt`, its snapshot, and one of another repository. */
async function withSnapshots(
  fn: (
    t: { dir: string; uri: string; catalogPath: string; good: string; foreign: string },
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const repo = await Repository.init(uri);
    await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
    const { uri: good } = await repo.backup();
    await repo.close();
    const other = await Repository.init(pathToFileURL(join(dir, "other")).href);
    const { uri: foreign } = await other.backup();
    await other.close();
    await fn({ dir, uri, catalogPath: join(dir, "repo", ".vc~repo.sqlite"), good, foreign });
    // The good snapshot rebuilds it.
    assertEquals((await Repository.restore(uri, good, { force: true })).records, 1);
    await using restored = await Repository.open(uri);
    assertEquals((await restored.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Nothing was set aside next to the catalog. */
function assertNothingSetAside(dir: string): void {
  const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
  assertEquals(names.filter((n) => n.includes("damaged")), []);
}

Deno.test("repo restore --force of a refused snapshot over a damaged catalog changes nothing", async () => {
  await withSnapshots(async ({ dir, uri, catalogPath, good, foreign }) => {
    const bytes = await Deno.readFile(new URL(good));
    const cut = join(dir, "cut.jsonl.gz");
    await Deno.writeFile(cut, bytes.subarray(0, bytes.length - 10));

    const damaged = new TextEncoder().encode("not a database ".repeat(600));
    await Deno.writeFile(catalogPath, damaged);
    for (const [snapshot, why] of [[cut, "cut short"], [foreign, "another repository"]]) {
      await assertRejects(
        () => Repository.restore(uri, snapshot!, { force: true }),
        InvalidInputError,
        why,
      );
      // The damaged catalog is where it was, as it was.
      assertEquals(await Deno.readFile(catalogPath), damaged);
      assertNothingSetAside(dir);
      await assertRejects(() => Repository.open(uri), CatalogDamagedError);
    }
  });
});

Deno.test("repo restore refused over an emptied SQLite catalog leaves it empty, never a new catalog", async () => {
  await withSnapshots(async ({ dir, uri, catalogPath, good, foreign }) => {
    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(catalogPath + suffix).catch(() => {});
    }
    await Deno.writeFile(catalogPath, new Uint8Array());
    for (const force of [false, true]) {
      // Whose snapshot it is is said first (at its header): --force, which
      // the damaged catalog would ask for, never restores it.
      await assertRejects(
        () => Repository.restore(uri, foreign, { force }),
        InvalidInputError,
        "another repository",
      );
      assertEquals((await Deno.stat(catalogPath)).size, 0);
      assertNothingSetAside(dir);
      await assertRejects(() => Repository.open(uri), CatalogDamagedError, "empty file");
    }
    // Its own snapshot needs the force option, as over any damaged catalog.
    await assertRejects(
      () => Repository.restore(uri, good),
      CatalogDamagedError,
      "{ force: true }",
    );
  });
});
