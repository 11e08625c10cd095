/**
 * `watchMirror()` when the system refuses a file watcher: Linux's limit of
 * inotify watches reached (`fs.inotify.max_user_watches`, a tree with more
 * directories than it, or other processes holding them), which Deno throws
 * from `watchFs` as "OS file watch limit reached". Thrown out of the watch
 * loop, it ended `vc mirror --watch` as an internal error: before the first
 * pass when the tree was over the limit at the start (nothing mirrored), or
 * when a new directory took it past the limit later (the watcher ended with
 * that error, and its restart threw). Now it is said once, the full passes
 * mirror changes meanwhile, and a watcher is tried again until one starts,
 * with a full pass then for what changed unwatched.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import {
  advanceToIdle,
  fakeBackend,
  storeContents,
  tempDir,
  testWatcher,
  until,
  watchWithTestEvents,
  writeTree,
} from "./mirror_helpers.ts";

const LIMIT = 'OS file watch limit reached. about ["/srv/data/d3"]';
/** What Deno says when inotify_init is past the user's instances. */
const INSTANCES = "Too many open files (os error 24)";

/** A watchFs that the system refuses `refusals` times, then the test's watcher. */
function refusedWatcher(refusals: number, why = LIMIT) {
  const events = testWatcher();
  let calls = 0;
  return {
    events,
    calls: () => calls,
    watchFs: () => {
      if (++calls <= refusals) throw new Error(why);
      return events.watchFs();
    },
  };
}

Deno.test("mirror --watch: a watcher the system refuses (watch limit) at the start is said once; passes mirror, and watching resumes", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const refused = refusedWatcher(3);
  await using t = watchWithTestEvents(src, b.store, w.dir, { watchFs: refused.watchFs });
  await until("the first pass", () => t.batches.some((x) => x.kind === "initial"));
  assertEquals((await storeContents(b.store))["a.txt"], "a");
  assertEquals(t.errors.length, 1, t.errors.join("\n"));
  assert(t.errors[0]!.includes("cannot watch") && t.errors[0]!.includes(LIMIT), t.errors[0]);
  assert(t.errors[0]!.includes("fs.inotify.max_user_watches"), t.errors[0]);
  // Written while nothing watches: the full pass made once a watcher starts finds it.
  await writeTree(src, { "b.txt": "b" });
  for (let i = 0; i < 20 && refused.calls() < 4; i++) {
    await advanceToIdle(t, 60_000, "idle again");
  }
  assertEquals(refused.calls(), 4, "a watcher was tried again until one started");
  await until(
    "the pass for what changed unwatched",
    async () => (await storeContents(b.store))["b.txt"] === "b",
  );
  assertEquals(t.errors.length, 1, "said once, not at every try");
  // And its events are applied.
  await writeTree(src, { "c.txt": "c" });
  refused.events.send({ kind: "create", paths: [join(src, "c.txt")] });
  await until("the event seen", () => t.counts.seen > 0);
  await advanceToIdle(t, 1_000, "idle after the batch");
  assertEquals((await storeContents(b.store))["c.txt"], "c");
});

Deno.test("mirror --watch: a watcher that ends at the watch limit and cannot restart does not end the watch", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  let calls = 0;
  let fail: (error: Error) => void = () => {};
  const events = testWatcher();
  const watchFs = () => {
    calls++;
    if (calls === 1) {
      // The first watcher ends with the limit's error (a new directory past it).
      const ending = new Promise<never>((_, reject) => fail = reject);
      return {
        close() {},
        async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
          yield await ending;
        },
      };
    }
    if (calls === 2) throw new Error(LIMIT);
    return events.watchFs();
  };
  await using t = watchWithTestEvents(src, b.store, w.dir, { watchFs });
  await until("the first pass", () => t.batches.some((x) => x.kind === "initial"));
  await until("idle", () => t.counts.idle > 0);
  await writeTree(src, { "new/b.txt": "b" });
  fail(new Error(LIMIT));
  await until("the watcher's end said", () => t.errors.some((e) => e.includes("cannot watch")));
  await until(
    "the pass for what it missed",
    async () => (await storeContents(b.store))["new/b.txt"] === "b",
  );
  await advanceToIdle(t, 1_000, "idle again");
  assertEquals(calls, 3, "a watcher was tried again after 1 s");
});

Deno.test("mirror --watch: a watcher refused for the inotify instances says which limit to raise", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const refused = refusedWatcher(1, INSTANCES);
  await using t = watchWithTestEvents(src, b.store, w.dir, { watchFs: refused.watchFs });
  await until("the first pass", () => t.batches.some((x) => x.kind === "initial"));
  assertEquals(t.errors.length, 1, t.errors.join("\n"));
  assert(t.errors[0]!.includes("fs.inotify.max_user_instances"), t.errors[0]);
});
