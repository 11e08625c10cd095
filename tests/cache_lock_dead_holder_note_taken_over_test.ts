/**
 * A holder killed mid-download leaves the entry's shared temp file (its
 * partial, or a committed copy) and, when its hold lasted, its note (its pid
 * beside the lock). The next holder takes the file over; its own hold may be
 * too short to write a note, and so to remove one on release: the dead
 * holder's note stayed in the cache dir until the sweep's grace (a
 * `vc cache get` resumed after a `kill -9` left `.big.bin.vc-tmp-0-holder`
 * behind in 1 of 12 runs on a loaded machine). Taking the file over removes
 * it: a note beside a lock this process holds is a dead holder's.
 */
import { join } from "node:path";
import { holderNoteOfSharedPath, sharedTempPathFor } from "../src/atomic_write.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { assertEquals } from "./assert.ts";
import { filesUnder } from "./files_under.ts";

async function withEntry(fn: (data: string, shared: string, note: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vc-dead-holder-note-" });
  try {
    const data = join(dir, "a.bin");
    const shared = sharedTempPathFor(data);
    await fn(data, shared, holderNoteOfSharedPath(shared)!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const keepPartial of [true, false]) {
  Deno.test(`a dead holder's note goes when its partial is taken over (keepPartial: ${keepPartial})`, async () => {
    await withEntry(async (data, shared, note) => {
      await Deno.writeTextFile(shared, "the first bytes");
      await Deno.writeTextFile(note, "999999\n"); // a dead holder's: nobody holds it locked
      const lock = await acquireEntryLock(data, { keepPartial });
      try {
        assertEquals(lock.waited, true);
        assertEquals(lock.partialSize, keepPartial ? 15 : 0);
      } finally {
        lock.release();
      }
      assertEquals(filesUnder(join(data, "..")).filter((p) => p === note), []);
    });
  });
}

Deno.test("a dead holder's note goes when its committed copy is taken over", async () => {
  await withEntry(async (data, shared, note) => {
    await Deno.writeTextFile(data, "committed");
    await Deno.link(data, shared); // committed, not yet let go: two names
    await Deno.writeTextFile(note, "999999\n");
    const lock = await acquireEntryLock(data);
    lock.release();
    assertEquals(filesUnder(join(data, "..")), [data]);
    assertEquals(await Deno.readTextFile(data), "committed");
  });
});
