/**
 * A refresh whose new version passes the process's file-size limit (`ulimit
 * -f`, a batch scheduler's RLIMIT_FSIZE) keeps the copy cached before, as
 * one that finds the disk full or the cache dir read-only does, and offline
 * mode serves it; but only those two said so: this error named the limit
 * alone, and a script stopped by it took the copy it used for lost.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name: "a refresh past the file-size limit names the copy kept and offline mode " +
    "(ignored off Linux: bash's ulimit)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const file = join(dir, "bucket", "x.bin");
      const uri = pathToFileURL(file).href;
      await Deno.writeFile(file, new Uint8Array(1000).fill(1));
      // Unlimited first: Deno writes its code cache then, not under the limit.
      const path = ok(await vc(["cache", "get", uri]), "first get").stdout.trim();
      await Deno.writeFile(file, new Uint8Array(300 * 1024).fill(2));
      const run = await vcCommand(
        dir,
        childEnv(dir),
        ["cache", "get", uri, "--timeout", "0"],
        undefined,
        { fileSizeLimitKib: 100 },
      ).output();
      const stderr = decode(run.stderr);
      assertEquals([run.code, run.signal], [1, null], stderr);
      assert(stderr.includes("file-size limit (ulimit -f"), stderr);
      assert(stderr.includes("is kept and offline mode serves it (--offline"), stderr);
      const offline = ok(await vc(["cache", "get", uri, "--offline"]), "offline get");
      assertEquals(offline.stdout.trim(), path);
      assertEquals((await Deno.readFile(path)).length, 1000);
    });
  },
});
