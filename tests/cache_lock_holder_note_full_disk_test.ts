/**
 * A holder's note (its pid beside an entry's lock, written once the hold
 * lasts) on a full disk: its creation succeeds (an empty file needs no
 * block), its write does not. The note was left behind, empty, after the
 * download had failed and released the lock: a `.NAME.vc-tmp-0-holder` in
 * the cache dir that nothing of the download removed (a parallel download
 * onto a full disk left it whenever its hold lasted past the note's delay,
 * as on a loaded machine). Needs a small filesystem to fill: a tmpfs mount
 * (root on Linux); ignored elsewhere.
 */
import { join } from "node:path";
import { holderNoteOfSharedPath, sharedTempPathFor } from "../src/atomic_write.ts";
import { acquireEntryLock, HOLDER_NOTE_AFTER_MS } from "../src/cache/entry_lock.ts";
import { assertEquals } from "./assert.ts";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

Deno.test({
  name:
    "a holder's note that does not fit on a full disk is not left behind (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-holder-note-full-");
    const entries = join(scratch.mnt, "entries");
    await Deno.mkdir(entries);
    const data = join(entries, "a.bin");
    await fillDisk(join(scratch.mnt, "filler"));
    const note = holderNoteOfSharedPath(sharedTempPathFor(data))!;
    const lock = await acquireEntryLock(data);
    try {
      // Past the note's delay: its write has been tried (and failed: no space).
      await new Promise((r) => setTimeout(r, HOLDER_NOTE_AFTER_MS * 3));
      assertEquals(filesUnder(entries).filter((p) => p === note), []);
    } finally {
      lock.release();
    }
    assertEquals(filesUnder(entries), []);
  },
});
