/**
 * A SQLite catalog in a directory where no file can be made for a reason
 * other than permissions: `/proc` (a pseudo file system answering "No such
 * file or directory" to every create, even root's), a read-only file system
 * for a new catalog. `vc repo init --catalog sqlite:/proc/vc.sqlite` said only
 * SQLite's "unable to open database file", which names neither the
 * directory nor the reason; it now names both, and says where a catalog can
 * be kept, as it does for a directory this user may not write.
 */
import { join } from "node:path";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

const haveProc = Deno.build.os === "linux" && (() => {
  try {
    return Deno.statSync("/proc/self").isDirectory;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "repo: a SQLite catalog in a directory no file can be made in names it and the reason",
  // Needs Linux's /proc, where no file can be created.
  ignore: !haveProc,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_cat_dir_no_files_" });
    try {
      const store = join(dir, "store");
      const path = "/proc/self/vc-catalog.sqlite";
      const error = await assertRejects(
        () => Repository.init(`file://${store}`, { catalog: `sqlite:${path}`, host: "h" }),
        CatalogUnavailableError,
      );
      // Before: "cannot open SQLite catalog /proc/self/vc-catalog.sqlite:
      // unable to open database file: /proc/self/vc-catalog.sqlite".
      assertStringIncludes(error.message, path);
      assertStringIncludes(error.message, "no file can be created in its directory /proc/self");
      assertStringIncludes(error.message, "No such file or directory");
      assertStringIncludes(error.message, "a directory of a writable file system");
      // No store was made for a catalog that could not be.
      assertEquals(await Deno.stat(store).then(() => true, () => false), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
