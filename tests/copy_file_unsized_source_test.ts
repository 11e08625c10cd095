/**
 * copyFileAtomic sizes its first read buffer to the source's size (and a
 * byte, to find its end). A source whose stat says 0 bytes but that has
 * more (a FIFO, a file of /proc, a file still being written when it was
 * looked at) filled that one-byte buffer, and the one-byte read-ahead
 * after it, again and again: it was copied a byte per read (150 KB of
 * /proc/self/smaps: 155,000 reads and 7.5 s, against 48 reads before).
 */
import { join } from "node:path";
import { copyFileAtomic } from "../src/atomic_write.ts";
import { mkfifo } from "./fifo.ts";
import { assert, assertEquals } from "./assert.ts";

const SIZE = 200_000;

Deno.test({
  name:
    "copyFileAtomic reads a source that stats as empty in full-size chunks, not a byte at a time",
  ignore: Deno.build.os === "windows", // no FIFOs
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_copy_unsized_" });
    const read = Deno.FsFile.prototype.read;
    let reads = 0;
    Deno.FsFile.prototype.read = function (buffer: Uint8Array) {
      reads++;
      return read.call(this, buffer);
    };
    try {
      const fifo = join(dir, "fifo");
      mkfifo(fifo);
      const content = new Uint8Array(SIZE).map((_, i) => i % 251);
      const writing = (async () => {
        using writer = await Deno.open(fifo, { write: true });
        for (let at = 0; at < content.length;) at += await writer.write(content.subarray(at));
      })();
      await copyFileAtomic(fifo, join(dir, "out"));
      await writing;
      assertEquals(await Deno.readFile(join(dir, "out")), content);
      // A pipe hands at most its buffer (64 KiB on Linux) a read; a byte a read was 200,001.
      assert(reads < SIZE / 1024, `${reads} reads for ${SIZE} bytes`);
    } finally {
      Deno.FsFile.prototype.read = read;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
