/**
 * `watchMirror()` of a source root whose path comes to name another
 * directory: a `current` link switched to the next release
 * (`ln -sfn v2 current`), or a directory replaced by a link. The system's
 * watcher follows the directory it was given, not the path, so no event
 * came for the new one: its changes waited for the next full pass (10 min
 * by default), and the link's removal was never seen. The watch now looks
 * at each root's identity now and then: another directory there is watched
 * and its whole tree mirrored; nothing there is said once, as a root gone.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  fakeBackend,
  storeContents,
  tempDir,
  testWatcher,
  until,
  watchWithTestEvents,
  writeTree,
} from "./mirror_helpers.ts";

Deno.test("mirror --watch: a source link switched to another directory is watched and mirrored without waiting for a full pass", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  await writeTree(join(w.dir, "v1"), { "a.txt": "a" });
  await writeTree(join(w.dir, "v2"), { "b.txt": "b" });
  const current = join(w.dir, "current");
  await Deno.symlink("v1", current);
  const events = testWatcher();
  let watchers = 0;
  await using watch = watchWithTestEvents(current, b.store, w.dir, {
    watchFs: () => {
      watchers++;
      return events.watchFs();
    },
  });
  const { clock, batches, errors, counts } = watch;
  await until("the first pass", () => batches.length === 1 && counts.idle > 0);
  assertEquals(await storeContents(b.store), { "a.txt": "a" });
  // Switched the way deploys do; the old directory's watcher sees nothing.
  await Deno.remove(current);
  await Deno.symlink("v2", current);
  // Far less than the hour's full pass (reconcileIntervalMs): bounded.
  for (let i = 0; i < 10 && (await storeContents(b.store))["b.txt"] === undefined; i++) {
    const before = counts.idle;
    await clock.advance(1_000);
    await until("the watch to idle", () => counts.idle > before);
  }
  assertEquals(await storeContents(b.store), { "b.txt": "b" });
  assertEquals(watchers, 2, "a new watcher for the directory the link names now");
  assertEquals(batches.map((x) => x.kind), ["initial", "events"]);
  // The link removed: no event either; said once, nothing deleted.
  await Deno.remove(current);
  for (let i = 0; i < 5; i++) {
    const before = counts.idle;
    await clock.advance(1_000);
    await until("the watch to idle", () => counts.idle > before);
  }
  assertEquals(errors.length, 1, errors.join("\n"));
  assertStringIncludes(errors[0]!, `${current} is gone`);
  assertEquals(await storeContents(b.store), { "b.txt": "b" });
});
