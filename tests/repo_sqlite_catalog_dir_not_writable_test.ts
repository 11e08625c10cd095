/**
 * A SQLite catalog whose directory this user may not create files in (a
 * root-owned `/var/lib/vc` with a group-writable catalog file, an immutable
 * directory) cannot be opened even to read: SQLite must create the catalog's
 * WAL index and log beside it. That is an error naming the directory and
 * what to do, not SQLite's bare "unable to open database file" (or "attempt
 * to write a readonly database", which reads as the file's own permissions).
 * Made here with `chattr +i` (root on Linux; ignored where it cannot be).
 */
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { openSqliteCatalog } from "../src/repo/sqlite_catalog.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

/** Runs `fn` with `dir` immutable (no file created in it, even by root); false when it cannot be. */
async function immutable(dir: string, fn: () => Promise<void>): Promise<boolean> {
  const chattr = (flag: string) =>
    new Deno.Command("chattr", { args: [flag, dir], stdout: "null", stderr: "null" }).output()
      .then((r) => r.code === 0, () => false);
  if (!await chattr("+i")) return false;
  try {
    await fn();
    return true;
  } finally {
    await chattr("-i");
  }
}

const canChattr = await (async () => {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir();
  try {
    return await immutable(dir, () => Promise.resolve());
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
})();

Deno.test({
  name: "repo: a SQLite catalog in a directory this user may not write names the directory",
  ignore: !canChattr,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_cat_dir_ro_" });
    const catalogDir = join(dir, "catalog");
    const path = join(catalogDir, "c.sqlite");
    try {
      await (await Repository.init(`file://${join(dir, "store")}`, { catalog: `sqlite:${path}` }))
        .close();
      await immutable(catalogDir, async () => {
        // Before: "cannot open SQLite catalog …: unable to open database file".
        for (
          const open of [
            () => openSqliteCatalog(path),
            () => Repository.open(`file://${dir}/store`),
          ]
        ) {
          const error = await assertRejects(open, CatalogUnavailableError);
          assertStringIncludes(error.message, path);
          assertStringIncludes(error.message, `directory ${catalogDir}`);
          assertStringIncludes(error.message, "even to read");
          // chattr needs root, and root, who may write every directory, was
          // told to "let this user write that directory (or run as its
          // owner)": no permission it could give would do.
          assertStringIncludes(error.message, "not even root may create files in its directory");
          assertStringIncludes(error.message, "chattr +i");
        }
        // Nothing was made beside it, and the catalog is as it was.
        assertEquals([...Deno.readDirSync(catalogDir)].map((e) => e.name), ["c.sqlite"]);
      });
      await using repo = await Repository.open(`file://${dir}/store`);
      assertEquals(await repo.list(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
