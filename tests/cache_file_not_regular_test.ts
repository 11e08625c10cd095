/**
 * A `file://` URI naming a directory or a FIFO (not an object to a directory
 * store) is "not in the store", and the error says what is there instead of
 * leaving a user to wonder why a path that exists "does not exist".
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";

Deno.test({
  name: "cache: a file:// URI naming a directory or a FIFO says what is at that path",
  // mkfifo is POSIX.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_not_regular_" });
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), offline: false });
    try {
      await Deno.mkdir(join(dir, "adir"));
      const fifo = await new Deno.Command("mkfifo", { args: [join(dir, "fifo")] }).output();
      if (!fifo.success) throw new Error("mkfifo failed");
      const kinds: [string, string][] = [["adir", "a directory"], ["fifo", "a FIFO"]];
      for (const [name, kind] of kinds) {
        const e = await assertRejects(
          () => cache.cache(toFileUrl(join(dir, name)).href),
          NotFoundError,
        );
        assertStringIncludes(e.message, `; ${kind} is at that path, not a regular file`);
      }
      // Nothing there: the plain message.
      const none = await assertRejects(
        () => cache.cache(toFileUrl(join(dir, "none")).href),
        NotFoundError,
      );
      assertStringIncludes(none.message, "does not exist in the store");
      if (none.message.includes("regular file")) throw new Error(none.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
