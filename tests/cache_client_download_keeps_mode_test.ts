/**
 * `vc cache-client get ID DEST` (so `CacheClient.download`) over an existing
 * DEST keeps that file's permission bits, as `curl -o` and `wget -O` do (they
 * write in place). The atomic write's rename put a new file there with the
 * umask's mode, so a results file a user had made private (0600) came back
 * readable by everyone (0644). Its owner and group are kept too where the
 * process may give them (root): root's download over a user's 0600 file
 * would otherwise leave it unreadable to that user. A new DEST still gets
 * the umask's mode.
 */
import { join } from "node:path";
import { serviceWithResult } from "./server_helpers.ts";
import { assertEquals } from "./assert.ts";

Deno.test({
  name: "cache-client get: a DEST that exists keeps its mode",
  // POSIX permission bits.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-cc-mode-" });
    try {
      await using served = await serviceWithResult(dir);
      const { client, cacheId } = served;
      const mode = async (name: string) => (await Deno.stat(join(dir, name))).mode! & 0o7777;

      await Deno.writeTextFile(join(dir, "private.txt"), "old");
      await Deno.chmod(join(dir, "private.txt"), 0o600);
      assertEquals(await client.download(cacheId, join(dir, "private.txt")), true);
      assertEquals(await Deno.readTextFile(join(dir, "private.txt")), "result");
      assertEquals(await mode("private.txt"), 0o600);

      // A set-user-ID bit is not carried over to the downloaded bytes.
      await Deno.writeTextFile(join(dir, "tool"), "old");
      await Deno.chmod(join(dir, "tool"), 0o4750);
      assertEquals(await client.download(cacheId, join(dir, "tool")), true);
      assertEquals(await mode("tool"), 0o750);

      // Root keeps another user's file theirs (only root may give a file away).
      if (Deno.uid() === 0) {
        await Deno.writeTextFile(join(dir, "users.txt"), "old");
        await Deno.chmod(join(dir, "users.txt"), 0o600);
        await Deno.chown(join(dir, "users.txt"), 4321, 4322);
        assertEquals(await client.download(cacheId, join(dir, "users.txt")), true);
        const info = await Deno.stat(join(dir, "users.txt"));
        assertEquals([info.uid, info.gid, info.mode! & 0o7777], [4321, 4322, 0o600]);
      }

      // A new file: the umask's mode, as before.
      const umask = Deno.umask();
      Deno.umask(umask);
      assertEquals(await client.download(cacheId, join(dir, "new.txt")), true);
      assertEquals(await mode("new.txt"), 0o666 & ~umask);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
