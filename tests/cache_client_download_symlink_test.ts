/**
 * `vc cache-client get ID DEST` (so `CacheClient.download`) with a DEST that
 * is a symbolic link writes through to the link's target and keeps the link,
 * as `curl -o` and `wget -O` do: the atomic write's rename used to replace
 * the link by a file, leaving the target (which others read) with its old
 * bytes. A dangling link gets its target created; a chain is followed.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { serveCache } from "../src/server/serve.ts";
import { CacheClient } from "../src/server/client.ts";
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
      await using service = await serveCache({
        store: new FsStore(join(dir, "store")),
        port: 0,
        hostname: "127.0.0.1",
        log: () => {},
        sweepIntervalMs: 0,
        auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
      });
      const client = new CacheClient({ url: service.url, token: "alice" });
      const { cacheId } = await client.id({ sample: 1 });
      await client.put(cacheId, new TextEncoder().encode("result"));

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
