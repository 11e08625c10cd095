/**
 * `vc prefill` into a cache dir whose disk fills: every item after it failed
 * with the same `no space left on the device of the cache dir …` on a line
 * of its own, 20 alike and `… and N more failures`, which hid an item's own
 * failure (a missing object) behind the count. Those items are now one line
 * naming the cause once, the first few items and how many more; another
 * item's own failure keeps its line. Needs a small filesystem to fill: a
 * tmpfs mount (root on Linux); ignored elsewhere.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CliWorkspace } from "./cli_harness.ts";
import { canMount, tmpfsScratch } from "./mounts.ts";

Deno.test({
  name:
    "cli prefill: the items that found no space left in the cache dir are one line (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-prefill-full-", { options: "size=128k" });
    await using ws = await CliWorkspace.create();
    const items: string[] = [];
    for (let i = 0; i < 60; i++) {
      const file = join(scratch.dir, `f${i}.bin`);
      await Deno.writeFile(file, new Uint8Array(16 * 1024).fill(i));
      items.push(pathToFileURL(file).href);
    }
    const missing = pathToFileURL(join(scratch.dir, "absent.bin")).href;
    await ws.write("list.txt", [...items, missing].join("\n") + "\n");
    const r = await ws.run(
      ["prefill", "--list", "list.txt", "--concurrency", "1"],
      { VC_CACHE_DIR: join(scratch.mnt, "cache") },
    );
    assertEquals(r.code, 1, r.stderr);
    const failures = r.stderr.split("\n").filter((l) => l.startsWith("vc: prefill failed: "));
    const full = failures.filter((l) => l.includes("no space left on the device"));
    assertEquals(full.length, 1, r.stderr);
    assert(/: prefill failed: \d+ items \(file:\/\/\S+f\d+\.bin, /.test(full[0]!), r.stderr);
    assertStringIncludes(full[0]!, `no space left on the device of the cache dir ${scratch.mnt}`);
    assert(failures.some((l) => l.includes("absent.bin")), r.stderr);
    assert(!r.stderr.includes("more failures"), r.stderr);
  },
});
