/**
 * `watchMirror()` stopped (Ctrl-C, SIGTERM) while a batch of events is under
 * way: a full pass stopped taking new files at once, but a batch went on to
 * its last file. A burst of 20,000 new files (a `tar x`, one batch) kept a
 * stopping `vc mirror --watch` uploading for minutes after SIGTERM, past a
 * service manager's stop timeout (whose SIGKILL then leaves multipart
 * uploads open). Now a batch stops as a pass does: the transfers in flight
 * finish, no new one starts, and nothing is deleted.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { storeContents, tempDir, until, watchWithTestEvents, writeTree } from "./mirror_helpers.ts";
import { overriding } from "./overriding.ts";

const FILES = 60;

// A store that aborts `stop` at the first upload once armed.
function stoppingAtFirstPut(fs: FsStore, stop: AbortController, armed: { on: boolean }) {
  return overriding(fs, {
    put: (...args: Parameters<ObjectStore["put"]>) => {
      if (armed.on) stop.abort();
      return fs.put(...args);
    },
  });
}

for (
  const [what, burst] of [
    ["new files in a directory it has", (src: string) => `${src}/f`],
    ["a new directory of files", (src: string) => `${src}/new/f`],
  ] as const
) {
  Deno.test(`mirror --watch: a stop during a batch (${what}) starts no new upload`, async () => {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "keep.txt": "k" });
    const stop = new AbortController();
    const armed = { on: false };
    const store = stoppingAtFirstPut(new FsStore(join(w.dir, "store")), stop, armed);
    await using watch = watchWithTestEvents(src, store, w.dir, {
      signal: stop.signal,
      concurrency: 2,
    });
    const { clock, events, batches, counts } = watch;
    await until("the first pass", () => batches.length === 1 && counts.idle > 0);
    const paths: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const path = `${burst(src)}${String(i).padStart(3, "0")}.txt`;
      await writeTree(src, { [path.slice(src.length + 1)]: "x" });
      paths.push(path);
    }
    armed.on = true;
    const seen = counts.seen;
    events.send({
      kind: "create",
      paths: what.startsWith("a new") ? [join(src, "new")] : paths,
    });
    await until("the burst's event", () => counts.seen > seen);
    await clock.advance(1000);
    const totals = await watch.watching;
    const keys = Object.keys(await storeContents(store)).filter((k) => k !== "keep.txt");
    // The uploads in flight at the stop (at most `concurrency`, and the one
    // that stopped it), not the whole burst.
    assert(keys.length <= 3, `${keys.length} of ${FILES} uploaded after the stop`);
    assertEquals(totals.transferred, 1 + keys.length);
    assertEquals(totals.deleted, 0);
  });
}
