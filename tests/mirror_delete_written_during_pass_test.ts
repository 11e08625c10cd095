/**
 * store → local mirror --delete: a local file written while the pass runs
 * (saved by hand after the walk read it, before its delete) is the user's
 * new data, not the stale file the walk planned to remove: it is kept.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("mirror store → local --delete: a file rewritten during the pass is kept, an untouched stale one deleted", async () => {
  await using dir = await tempDir("vc-mirror-delete-written-");
  await using store = new MemoryStore();
  await store.put("keep.txt", new TextEncoder().encode("k"));
  const target = join(dir.path, "t");
  await Deno.mkdir(target);
  await Deno.writeTextFile(join(target, "stale.txt"), "old");
  await Deno.writeTextFile(join(target, "notes.txt"), "old");
  const started = Date.now();
  const r = await mirror({
    sources: [store],
    target,
    delete: true,
    concurrency: 1,
    statePath: join(dir.path, "s.db"),
    onAction: (a) => {
      if (a.action !== "delete" || a.key !== "notes.txt") return;
      // The save lands in a later millisecond than the pass's start (file
      // times have millisecond steps); bounded: a few ms at most.
      while (Date.now() <= started + 1) { /* wait for the clock to move */ }
      Deno.writeTextFileSync(join(target, "notes.txt"), "typed during the pass");
    },
  });
  assertEquals(r.deletedKeys, ["stale.txt"]);
  assertEquals(r.extra, 1);
  assertEquals(r.failed, []);
  assertEquals(await Deno.readTextFile(join(target, "notes.txt")), "typed during the pass");
  assertEquals(await Deno.readTextFile(join(target, "keep.txt")), "k");
  // The next run decides from what it sees: a file with no object goes.
  const again = await mirror({
    sources: [store],
    target,
    delete: true,
    statePath: join(dir.path, "s.db"),
  });
  assertEquals(again.deletedKeys, ["notes.txt"]);
});
