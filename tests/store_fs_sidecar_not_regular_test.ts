/**
 * What sits at a sidecar's name (`.vc~meta~KEY.json`) in an FsStore's
 * directory and is not a small regular file is no sidecar: a FIFO there hung
 * every head of that key and a put the whole process (a synchronous read,
 * deaf to Ctrl-C), and a link to `/dev/zero` was read until memory ran out.
 * Now such a sidecar is taken as missing (the MD5 is computed again), and a
 * put settles (a FIFO is refused by name, as any special file in the way).
 */
import { FsStore } from "../src/store/fs.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { mkfifo } from "./fifo.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test({
  name: "a FIFO or /dev/zero link at a sidecar's name is no sidecar: head and put go on",
  ignore: Deno.build.os === "windows", // FIFOs and /dev/zero are POSIX
  fn: async () => {
    const root = await Deno.makeTempDir();
    try {
      const store = new FsStore(root);
      for (
        const [key, make] of [
          ["a.txt", mkfifo],
          ["b.txt", (p: string) => Deno.symlinkSync("/dev/zero", p)],
        ] as const
      ) {
        const first = await store.put(key, bytes("hello"));
        const sidecar = `${root}/.vc~meta~${key}.json`;
        await Deno.remove(sidecar);
        make(sidecar);
        const info = await store.head(key);
        assertEquals(info?.size, 5);
        assertEquals(info?.etag, first.etag);
        // A put settles: refused, naming the sidecar (a special file is
        // never replaced), or done with a real sidecar written.
        const second = await store.put(key, bytes("again")).catch((e: Error) => e);
        if (second instanceof Error) {
          assert(second instanceof InvalidInputError, String(second));
          assertStringIncludes(second.message, sidecar);
          assertEquals((await store.head(key))?.etag, first.etag);
        } else {
          assertEquals((await store.head(key))?.etag, second.etag);
          assert((await Deno.lstat(sidecar)).isFile, "the put wrote a real sidecar");
        }
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
