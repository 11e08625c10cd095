/**
 * A CI cache saved or restored without its hidden files (`.meta`, where vc
 * keeps each copy's record: `actions/upload-artifact` leaves hidden files
 * out by default since v4.4) holds the copies but nothing that says what
 * they are: every item was downloaded again, silently, run after run. A
 * prefill now says so once, naming the cache dir and the missing `.meta`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { withWorkspace } from "./cli_process.ts";

Deno.test("vc prefill: a cache dir restored without its .meta records is warned of once", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    const cacheDir = join(dir, "cache");
    const uris: string[] = [];
    for (let i = 0; i < 5; i++) {
      const file = join(dir, `f${i}.bin`);
      await Deno.writeTextFile(file, `v${i}`);
      uris.push(pathToFileURL(file).href);
    }
    const list = join(dir, "list.txt");
    await Deno.writeTextFile(list, uris.join("\n") + "\n");
    const first = await inProcess(["prefill", "--list", list]);
    assertEquals(first.code, 0, first.stderr);
    // A warm cache with its records: nothing to say.
    const warm = await inProcess(["prefill", "--list", list]);
    assertEquals(warm.stderr, "");
    assertStringIncludes(warm.stdout, "0 fetched, 5 already cached");
    await Deno.remove(join(cacheDir, ".meta"), { recursive: true });
    const restored = await inProcess(["prefill", "--list", list]);
    assertEquals(restored.code, 0, restored.stderr);
    const warnings = restored.stderr.split("\n").filter((l) => l.startsWith("vc: warning:"));
    assertEquals(warnings.length, 1, restored.stderr);
    assertStringIncludes(
      warnings[0]!,
      `the cache dir ${cacheDir} holds copies without their records`,
    );
    assertStringIncludes(warnings[0]!, join(cacheDir, ".meta"));
  });
});
