/**
 * `watchMirror()` abandoned (`cancel`: a second Ctrl-C, or the 5 s grace
 * after the first) while an event batch uploads a file: the upload is
 * aborted, and the closing line names it as cut short, as it does for a full
 * pass. A batch's aborts were not known: `vc mirror --watch` said what it
 * did but not which file it left for the next run (`cutShort: []`), and the
 * batch was not counted.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { WatchInterruptedError } from "../src/mirror/watch.ts";
import { storeContents, tempDir, until, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";
import { overriding } from "./overriding.ts";

/** A store whose uploads of `slow` wait until their signal aborts them. */
function hangingPut(fs: FsStore, slow: string, started: { on: boolean }): ObjectStore {
  return overriding(fs, {
    put: (...args: Parameters<ObjectStore["put"]>) => {
      if (args[0] !== slow) return fs.put(...args);
      started.on = true;
      const signal = args[2]?.signal;
      return new Promise((_, reject) => {
        if (signal === undefined) return;
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    },
  });
}

Deno.test("mirror --watch: a batch's upload cut short by cancel is named in the interruption", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "keep.txt": "k" });
  const started = { on: false };
  const store = hangingPut(new FsStore(join(w.dir, "store")), "big.bin", started);
  const cancel = new AbortController();
  // Not disposed with `await using`: its end is the rejection under test.
  const watch = watchWithTestEvents(src, store, w.dir, { cancel: cancel.signal });
  try {
    await cut(watch, cancel, src, started, store);
  } finally {
    cancel.abort();
    await watch.watching.catch(() => {});
  }
});

async function cut(
  watch: ReturnType<typeof watchWithTestEvents>,
  cancel: AbortController,
  src: string,
  started: { on: boolean },
  store: ObjectStore,
): Promise<void> {
  const { clock, events, batches, counts } = watch;
  await until("the first pass", () => batches.length === 1 && counts.idle > 0);
  await writeTree(src, { "big.bin": "big" });
  const seen = counts.seen;
  events.send({ kind: "create", paths: [join(src, "big.bin")] });
  await until("the event", () => counts.seen > seen);
  await clock.advance(1000);
  await until("the upload under way", () => started.on);
  cancel.abort(new DOMException("cancelled", "AbortError"));
  const error = await assertRejects(() => watch.watching, WatchInterruptedError);
  assertEquals(error.cutShort, ["big.bin"]);
  assertEquals(error.totals.batches, 1, "the batch cut short is counted");
  assert(error.message.includes("1 cut short (big.bin)"), error.message);
  assertEquals((await storeContents(store))["big.bin"], undefined);
}
