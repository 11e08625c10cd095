/**
 * `CacheClient.download` (so `vc cache-client get ID DEST`) killed midway
 * (`kill -9`, or a SIGHUP, which vc does not catch) leaves its partial temp
 * file beside DEST: the next download to the same DEST removes it, as the
 * next `vc get` / `vc sync` copy does, instead of leaving one more partial
 * file of the whole download's size in the user's directory at every kill.
 * A temp file another download still writes (it holds its lock) and the
 * temp files of other names stay.
 */
import { join } from "node:path";
import { serviceWithResult } from "./server_helpers.ts";
import { assertEquals } from "./assert.ts";

Deno.test({
  name: "CacheClient.download removes the partial temp file a killed download left for DEST",
  // Locks are mandatory on Windows: writers hold none there, only age and pid tell.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-cc-killed-" });
    try {
      await using served = await serviceWithResult(dir);
      const { client, cacheId } = served;
      const out = join(dir, "out");
      await Deno.mkdir(out);
      // What a killed download leaves: no lock held, its pid gone, a while ago.
      const longAgo = new Date(Date.now() - 600_000);
      const killed = join(out, ".got.bin.vc-tmp-999999999-abcdefgh");
      await Deno.writeTextFile(killed, "partial");
      await Deno.utime(killed, longAgo, longAgo);
      const otherName = join(out, ".other.bin.vc-tmp-999999999-abcdefgh");
      await Deno.writeTextFile(otherName, "partial");
      await Deno.utime(otherName, longAgo, longAgo);
      // One a live download to the same DEST is still writing: it holds its lock.
      const live = join(out, `.got.bin.vc-tmp-${Deno.pid}-livelive`);
      using liveFile = await Deno.open(live, { write: true, createNew: true });
      await liveFile.lock(true);
      await Deno.utime(live, longAgo, longAgo);

      assertEquals(await client.download(cacheId, join(out, "got.bin")), true);
      assertEquals(await Deno.readTextFile(join(out, "got.bin")), "result");
      assertEquals([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
        `.got.bin.vc-tmp-${Deno.pid}-livelive`,
        ".other.bin.vc-tmp-999999999-abcdefgh",
        "got.bin",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
