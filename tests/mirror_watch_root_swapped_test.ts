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
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  advanceToIdle,
  advanceUntilStored,
  fakeBackend,
  linkedReleases,
  storeContents,
  tempDir,
  testWatcher,
  until,
  watchWithTestEvents,
} from "./mirror_helpers.ts";

Deno.test("mirror --watch: a source link switched to another directory is watched and mirrored without waiting for a full pass", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const current = await linkedReleases(w.dir);
  const events = testWatcher();
  let watchers = 0;
  await using watch = watchWithTestEvents(current, b.store, w.dir, {
    watchFs: () => {
      watchers++;
      return events.watchFs();
    },
  });
  const { batches, errors, counts } = watch;
  await until("the first pass", () => batches.length === 1 && counts.idle > 0);
  assertEquals(await storeContents(b.store), { "a.txt": "a" });
  // Switched the way deploys do; the old directory's watcher sees nothing.
  await Deno.remove(current);
  await Deno.symlink("v2", current);
  // Far less than the hour's full pass (reconcileIntervalMs): bounded.
  await advanceUntilStored(watch, b.store, "b.txt", { ms: 1_000, steps: 10 });
  assertEquals(await storeContents(b.store), { "b.txt": "b" });
  assertEquals(watchers, 2, "a new watcher for the directory the link names now");
  assertEquals(batches.map((x) => x.kind), ["initial", "events"]);
  // The link removed: no event either; said once, nothing deleted.
  await Deno.remove(current);
  for (let i = 0; i < 5; i++) await advanceToIdle(watch, 1_000);
  assertEquals(errors.length, 1, errors.join("\n"));
  assertStringIncludes(errors[0]!, `${current} is gone`);
  assertEquals(await storeContents(b.store), { "b.txt": "b" });
});
