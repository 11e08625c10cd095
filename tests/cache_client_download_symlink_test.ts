/**
 * `vc cache-client get ID DEST` (so `CacheClient.download`) with a DEST that
 * is a symbolic link writes through to the link's target and keeps the link,
 * as `curl -o` and `wget -O` do: the atomic write's rename used to replace
 * the link by a file, leaving the target (which others read) with its old
 * bytes. A dangling link gets its target created; a chain is followed.
 */
import { join } from "node:path";
import { serviceWithResult } from "./server_helpers.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals } from "./assert.ts";

Deno.test({
  name: "cache-client get: a DEST that is a symlink is written through, the link kept",
  // Symlinks need a privilege on Windows.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-cc-link-" }));
    try {
      await using served = await serviceWithResult(dir);
      const { client, cacheId, service } = served;

      // The library: a link to a file, and a chain of two links.
      await Deno.writeTextFile(join(dir, "real.txt"), "old");
      await Deno.symlink("real.txt", join(dir, "link.txt"));
      await Deno.symlink("link.txt", join(dir, "chain.txt"));
      assertEquals(await client.download(cacheId, join(dir, "chain.txt")), true);
      assertEquals((await Deno.lstat(join(dir, "chain.txt"))).isSymlink, true);
      assertEquals((await Deno.lstat(join(dir, "link.txt"))).isSymlink, true);
      assertEquals(await Deno.readTextFile(join(dir, "real.txt")), "result");

      // The CLI, through a dangling link: its target is created.
      await Deno.symlink("made.txt", join(dir, "dangling.txt"));
      const io = memoryIo({
        cwd: dir,
        env: { HOME: dir, VC_CACHE_URL: service.url, VC_CACHE_TOKEN: "alice" },
      });
      const code = await runCli(["cache-client", "get", cacheId, "dangling.txt"], io);
      assertEquals(code, 0, io.stderr());
      assertEquals((await Deno.lstat(join(dir, "dangling.txt"))).isSymlink, true);
      assertEquals(await Deno.readTextFile(join(dir, "made.txt")), "result");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
