/**
 * A small file (up to 1 MiB: read whole, then sent from memory) rewritten in
 * place while the mirror read it, as a database or `dd conv=notrunc` writes:
 * the bytes read could be part old, part new, a content the file never held,
 * and went up as the object (with a vc-md5 of that mix, so the store's MD5
 * check passed), the run saying nothing. (A writer child rewriting a 512 KiB
 * file chunk by chunk beside `vc mirror` runs got such mixed objects within
 * 50 runs.) A file read from disk in parts (past 1 MiB) was already checked;
 * a small one now is too: its stat after the read must be the one before
 * it, else the hash says so and the upload is not made ("changed while it
 * was read"); the next run (or the watch's queue) uploads it.
 *
 * The write is made in this process right after `hashLocal` started its read
 * (past 256 KiB the read is asynchronous, so the write lands after the stat
 * before it and before the one after it, whatever part of the bytes it
 * reached): deterministic, unlike a writer racing the read.
 */
import { join } from "node:path";
import { hashLocal } from "../src/mirror/compare.ts";
import { statLocal } from "../src/mirror/local_side.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const SIZE = 512 * 1024;

/** Rewrites `path` in place (same size, no truncation) in 16 KiB chunks of `byte`, giving it a new mtime. */
function rewriteInPlace(path: string, byte: number, mtime: number): void {
  using file = Deno.openSync(path, { write: true });
  const chunk = new Uint8Array(16 * 1024).fill(byte);
  for (let off = 0; off < SIZE; off += chunk.length) {
    file.seekSync(off, Deno.SeekMode.Start);
    file.writeSync(chunk);
  }
  Deno.utimeSync(path, mtime, mtime);
}

Deno.test("hashLocal: a small file written to while it is read is said to have changed", async () => {
  await using w = await tempDir();
  const path = join(w.dir, "db.bin");
  await Deno.writeFile(path, new Uint8Array(SIZE).fill(0x41));
  Deno.utimeSync(path, 1_000_000, 1_000_000);
  const entry = (await statLocal(path, "db.bin", "skip"))!;
  const reading = hashLocal(entry, undefined, true);
  rewriteInPlace(path, 0x42, 1_000_001);
  const hash = await reading;
  assertEquals(hash.changedWhileRead, true);
  // Unwritten while read: no such flag, the bytes are the file's.
  const again = await hashLocal((await statLocal(path, "db.bin", "skip"))!, undefined, true);
  assertEquals(again.changedWhileRead, undefined);
  assert(again.bytes!.every((b) => b === 0x42));
});
