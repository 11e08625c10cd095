/**
 * A mirror run before anything else creates the cache dir (for its default
 * state file): it is made private (0700), as the asset cache makes it, not
 * with the umask's 0755, under which every copy the cache later put there
 * was readable by the other users of the machine.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { Mirror } from "../src/mirror/mod.ts";

Deno.test("a mirror that creates the cache dir makes it private", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_cache_dir_mode_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    const cacheDir = join(dir, "cache");
    {
      await using m = await Mirror.open({
        sources: [join(dir, "src")],
        target: pathToFileURL(join(dir, "bucket")).href,
        cacheDir,
      });
      await m.run();
    }
    assertEquals((await Deno.stat(cacheDir)).mode! & 0o777, 0o700);
    // A dry run without a state file creates nothing.
    const dry = join(dir, "dry-cache");
    {
      await using m = await Mirror.open({
        sources: [join(dir, "src")],
        target: pathToFileURL(join(dir, "bucket")).href,
        cacheDir: dry,
        dryRun: true,
      });
      await m.run();
    }
    assertEquals(await Deno.stat(dry).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
