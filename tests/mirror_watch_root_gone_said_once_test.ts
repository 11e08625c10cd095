/**
 * `watchMirror()` with its source root moved away: the root's event is no
 * change to mirror. It was a batch whose walk failed ("stopped: No such file
 * or directory"), said beside each full pass's own failure, with a held-back
 * deletes line, and tried again on the 1 s → 5 min schedule. It is now said
 * once, and the tree is mirrored again once the root is back.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import {
  advanceToIdle,
  advanceUntilStored,
  storeContents,
  until,
  watchedTree,
} from "./mirror_helpers.ts";

Deno.test("mirror --watch: a source root moved away is said once, not a batch that fails and is retried", async () => {
  await using watch = await watchedTree({ "a.txt": "a" });
  const { src, clock, events, batches, errors, counts } = watch;
  await Deno.rename(src, join(watch.dir, "away"));
  events.send({ kind: "remove", paths: [src] });
  await until("the event taken in", () => counts.seen === 1);
  const idleBefore = counts.idle;
  await clock.advance(1_000);
  await until(
    "the root's event",
    () => (errors.length > 0 || batches.length > 1) && counts.idle > idleBefore,
  );
  // Retried, the batch would come due again 1 s, 3 s, 7 s later.
  for (const ms of [1_000, 2_000, 4_000]) await advanceToIdle(watch, ms);
  assertEquals(batches.map((x) => x.kind), ["initial"]);
  assertEquals(errors.length, 1, errors.join("\n"));
  assertStringIncludes(errors[0]!, `${src} is gone`);
  // Back: its whole tree is looked at, and mirrored.
  await Deno.rename(join(watch.dir, "away"), src);
  await Deno.writeTextFile(join(src, "b.txt"), "b");
  // Looked for now and then, then its tree after a quiet period: bounded.
  await advanceUntilStored(watch, watch.store, "b.txt", { ms: 2_000, steps: 30 });
  assertEquals(await storeContents(watch.store), { "a.txt": "a", "b.txt": "b" });
});
