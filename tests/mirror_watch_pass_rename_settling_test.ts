/**
 * A file renamed just before a watch's full pass, whose new name is still
 * settling (written a moment ago, or with events not applied yet), is left
 * to the watch's queue. The pass used to delete the old key meanwhile (it
 * has no file), so the queue found nothing to copy and uploaded the file
 * again. The pass now keeps the object of a key whose recorded file (same
 * inode, size and mtime) is one it left for later; the queue copies it in
 * the store and then deletes it, as a rename the watch saw does.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { Mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { tempDir, upOptions } from "./mirror_helpers.ts";

async function keys(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list("")) out.push(o.key);
  return out;
}

// Copies in the store are for files of 1 MiB and more.
const BIG = 2 * 1024 * 1024;

/**
 * `src` holding `big.bin` (random bytes of `seed`), mirrored once with
 * --delete into a memory store; disposing of it closes the mirror, the
 * store and the temp dir.
 */
async function mirroredBigFile(seed: number) {
  const w = await tempDir();
  const store = new MemoryStore();
  try {
    const src = join(w.dir, "src");
    await Deno.mkdir(src);
    const old = join(src, "big.bin");
    await Deno.writeFile(old, randomBytes(BIG, seed));
    const m = await Mirror.open(upOptions(w.dir, store, { delete: true }));
    assertEquals((await m.run()).transferred, 1);
    return {
      store,
      src,
      old,
      m,
      async [Symbol.asyncDispose]() {
        await m[Symbol.asyncDispose]();
        await store[Symbol.asyncDispose]();
        await w[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await store[Symbol.asyncDispose]();
    await w[Symbol.asyncDispose]();
    throw error;
  }
}

Deno.test("mirror watch pass: a file renamed while settling is copied in the store, not uploaded again", async () => {
  await using mirrored = await mirroredBigFile(41);
  const { store, src, old, m } = mirrored;
  const renamed = join(src, "big2.bin");
  await Deno.rename(old, renamed);
  // The full pass: the new name was written within the settle time.
  const pass = await m.run({ settleMs: 3_600_000 });
  assertEquals([pass.deferred, pass.deleted, pass.transferred], [[renamed], 0, 0]);
  assertEquals(await keys(store), ["big.bin"]);
  // The queue, once it is quiet: a copy in the store, then the old key goes.
  const batch = await m.syncPath(renamed);
  assertEquals([batch.transferred, batch.copied, batch.bytes, batch.deleted], [1, 1, 0, 1]);
  assertEquals(await keys(store), ["big2.bin"]);
});

Deno.test("mirror watch pass: an object whose file is gone is deleted when no file it left for later is that file", async () => {
  await using mirrored = await mirroredBigFile(42);
  const { store, src, m } = mirrored;
  await Deno.remove(join(src, "big.bin"));
  // Another file, of the same size, still being written.
  const other = join(src, "other.bin");
  await Deno.writeFile(other, randomBytes(BIG, 43));
  const pass = await m.run({ settleMs: 3_600_000 });
  assertEquals([pass.deferred, pass.deleted], [[other], 1]);
  assertEquals(await keys(store), []);
});

Deno.test("mirror watch pass: the old key kept for a settling rename goes once the file is uploaded, changed since", async () => {
  await using mirrored = await mirroredBigFile(44);
  const { store, src, old, m } = mirrored;
  const renamed = join(src, "big2.bin");
  await Deno.rename(old, renamed);
  assertEquals((await m.run({ settleMs: 3_600_000 })).deleted, 0);
  // Written to after the pass: no copy, an upload; the old key goes all the same.
  await Deno.writeFile(renamed, randomBytes(BIG, 45));
  const batch = await m.syncPath(renamed);
  assertEquals([batch.transferred, batch.copied ?? 0, batch.deleted], [1, 0, 1]);
  assertEquals(await keys(store), ["big2.bin"]);
});

Deno.test("mirror watch pass: an old key kept for a rename that a later full pass deleted is not deleted again", async () => {
  await using mirrored = await mirroredBigFile(46);
  const { src, old, m } = mirrored;
  const renamed = join(src, "big2.bin");
  await Deno.rename(old, renamed);
  assertEquals((await m.run({ settleMs: 3_600_000 })).deleted, 0);
  // Gone before the queue came to it: the next full pass deletes the old key.
  await Deno.remove(renamed);
  assertEquals((await m.run()).deletedKeys, ["big.bin"]);
  // A new file at that name later is only uploaded: no delete said for a key gone.
  await Deno.writeFile(renamed, randomBytes(BIG, 47));
  const batch = await m.syncPath(renamed);
  assertEquals([batch.transferred, batch.deletedKeys], [1, []]);
});
