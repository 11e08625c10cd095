/**
 * What sits at a key's lock name (`.vc~lock~KEY`) in an FsStore's directory
 * and is not a regular file was put there by someone else. A FIFO there hung
 * every put and delete of that key for good (the stale-lock check read it),
 * and a directory there failed a put as "KEY/ is a directory of other keys".
 * Now both are refused at once, naming the key and the lock's path, and the
 * thing is left where it is. A directory at a sidecar's name is no "directory
 * of other keys" either.
 */
import { FsStore } from "../src/store/fs.ts";
import { KeyConflictError, StoreError } from "../src/errors.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { mkfifo } from "./fifo.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test({
  name: "a FIFO, link or directory at a key's lock name is refused naming the key, not waited on",
  ignore: Deno.build.os === "windows", // FIFOs are POSIX
  fn: async () => {
    const root = await Deno.makeTempDir();
    const outside = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(outside, "not vc's");
      const store = new FsStore(root);
      for (
        const [key, make, kind] of [
          ["dir.txt", (p: string) => Deno.mkdirSync(p), "a directory"],
          ["link.txt", (p: string) => Deno.symlinkSync(outside, p), "a symbolic link"],
          // Last: without the fix, a FIFO hangs the test rather than failing it.
          ["fifo.txt", mkfifo, "a FIFO"],
        ] as const
      ) {
        await store.put(key, bytes("first"));
        const lock = `${root}/.vc~lock~${key}`;
        make(lock);
        const started = Date.now();
        for (
          const op of [
            () => store.put(key, bytes("second")),
            () => store.delete([key]),
          ]
        ) {
          const e = await op().then(() => undefined, (e: Error) => e);
          assert(e instanceof StoreError, `${kind}: ${e}`);
          assert(!(e instanceof KeyConflictError), `${kind}: ${e}`);
          assertStringIncludes(e.message, `cannot write ${key} in `);
          assertStringIncludes(e.message, `${lock} is ${kind}`);
        }
        assert(Date.now() - started < 10_000, `${kind}: refused at once, not after a wait`);
        assertEquals((await Deno.lstat(lock)).isFile, false, "left where it is");
        const { body } = await store.get(key);
        assertEquals(await new Response(body).text(), "first");
      }
      assertEquals(await Deno.readTextFile(outside), "not vc's");
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(outside);
    }
  },
});

Deno.test("a directory at a key's sidecar name is not called a directory of other keys", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new FsStore(root);
    await store.put("a.txt", bytes("first"));
    await Deno.remove(`${root}/.vc~meta~a.txt.json`);
    await Deno.mkdir(`${root}/.vc~meta~a.txt.json/inner`, { recursive: true });
    const e = await store.put("a.txt", bytes("second")).then(() => undefined, (e: Error) => e);
    assert(e instanceof StoreError, String(e));
    assert(!(e instanceof KeyConflictError), String(e));
    assertStringIncludes(e.message, "put a.txt in ");
    assertStringIncludes(e.message, ".vc~meta~a.txt.json");
    const { body } = await store.get("a.txt");
    assertEquals(await new Response(body).text(), "first");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
