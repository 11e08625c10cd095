/**
 * `vc mirror --watch` into a `file://` store whose directory it cannot
 * write (immutable, or read-only for a user other than root): the initial
 * pass and each batch of events said one line of the same refusal per file
 * (20 lines, "… and N more"). Each says it once now, naming a few paths,
 * the count, and the directory to give write access to.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { mirrorWatchLog } from "./cli_process.ts";
import { canMakeUnwritable, withUnwritableDir } from "./unwritable_dir.ts";

Deno.test({
  name:
    "vc mirror --watch, file:// store unwritable: the initial pass and a batch each say one line",
  ignore: Deno.build.os === "windows" || !canMakeUnwritable, // no SIGTERM on Windows
  async fn() {
    const dir = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "vc_mirror_watch_ro_store_" }),
    );
    const store = join(dir, "store");
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.mkdir(store);
      for (let i = 0; i < 40; i++) await Deno.writeTextFile(join(dir, "data", `a${i}.txt`), "a");
      const text = await withUnwritableDir(
        store,
        () =>
          mirrorWatchLog(dir, ["data", pathToFileURL(store).href], async (run) => {
            // One event: a directory of 30 files moved in (no batch split by timing).
            await Deno.mkdir(join(dir, "staging"));
            for (let i = 0; i < 30; i++) {
              await Deno.writeTextFile(join(dir, "staging", `b${i}.txt`), "b");
            }
            await Deno.rename(join(dir, "staging"), join(dir, "data", "b"));
            await run.until(() => /events: .*30 failed/.test(run.stderr()));
          }),
      );
      const refusals = text.split("\n").filter((l) => l.includes("write access to the store's"));
      assertEquals(refusals.length, 2, text);
      assertStringIncludes(refusals[0]!, `40 paths (${join(dir, "data", "a0.txt")}`);
      assertStringIncludes(refusals[1]!, `30 paths (${join(dir, "data", "b", "b0.txt")}`);
      assertEquals(text.includes("more failures"), false, text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
