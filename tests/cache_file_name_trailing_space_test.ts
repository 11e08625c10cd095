/**
 * A file whose name (or whose directory's name) ends in a space is its own
 * file, not the one without the space: POSIX file systems keep both. The
 * file URL of such a path lost its trailing space (a whole URL string parsed
 * drops trailing spaces), so `cache("file:///d/a%20")` read the file `a`
 * and kept its bytes as the copy of `a `, and `file:///d/dir%20/x.csv` was
 * read from `dir/x.csv`: another file's content, silently.
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";

Deno.test({
  name: "cache: a file:// name ending in a space is read from that file, not its twin",
  // Windows drops a trailing space from a file name.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_trailing_space_" });
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), timeout: 0 });
    try {
      const files: Record<string, string> = {
        "b/a": "plain",
        "b/a ": "one space",
        "b/a  ": "two spaces",
        "b/dir/x.csv": "in dir",
        "b/dir /x.csv": "in dir-space",
      };
      for (const name of ["b", "b/dir", "b/dir "]) await Deno.mkdir(join(dir, name));
      for (const [name, text] of Object.entries(files)) {
        await Deno.writeTextFile(join(dir, name), text);
      }
      for (const [name, text] of Object.entries(files)) {
        const path = join(dir, name);
        const uri = toFileUrl(path).href;
        assertEquals(uri.endsWith(" "), false, uri);
        for (const location of [uri, uri.replaceAll("%20", " ")]) {
          const copy = await cache.cache(location);
          assertEquals(await Deno.readTextFile(copy), text, `${location} -> ${copy}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
