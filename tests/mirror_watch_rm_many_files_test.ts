/**
 * `vc mirror --watch`: an `rm dir/*` of many files in a directory that stays
 * (old logs cleaned up, a `git checkout` of a branch without them) brings an
 * event per file. Each gone file was looked at one after another with a
 * HEAD and a LIST of `file/` (as if it might have been a directory): 500
 * files took 26 s against a store 20 ms away. A path the state knows nothing
 * below needs only its HEAD, made `concurrency` at a time like the new
 * files of a batch; many in one directory come from one listing of it.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

/**
 * An FsStore whose HEADs take 20 ms, counting the calls and those in flight
 * at once; its listings fail while `listsFail()` says so.
 */
function slowHeads(fs: FsStore, listsFail: () => boolean = () => false) {
  const counts = { head: 0, list: 0, inFlight: 0, most: 0 };
  const store = new Proxy(fs, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "list" || name === "listPages") {
        return (...args: unknown[]) => {
          counts.list++;
          if (!listsFail()) return value.apply(target, args);
          // deno-lint-ignore require-yield
          return (async function* () {
            throw new Error("listing failed");
          })();
        };
      }
      if (name !== "head") return value.bind(target);
      return async (...args: unknown[]) => {
        counts.head++;
        counts.most = Math.max(counts.most, ++counts.inFlight);
        await new Promise((r) => setTimeout(r, 20));
        counts.inFlight--;
        return value.apply(target, args);
      };
    },
  }) as ObjectStore;
  return { store, counts };
}

/**
 * Mirrors `keep` and `names` with `--delete` (8 at a time) through
 * {@linkcode slowHeads}, removes `names` from the source and syncs them as a
 * watch batch does: its report, the calls it made, and the store.
 */
async function syncRemoved(dir: string, keep: string, names: string[], listsFail = false) {
  const src = join(dir, "src");
  await writeTree(src, { [keep]: "k", ...Object.fromEntries(names.map((n) => [n, n])) });
  let failing = false;
  const { store, counts } = slowHeads(new FsStore(join(dir, "bucket")), () => failing);
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(dir, "s.db"),
    delete: true,
    concurrency: 8,
  });
  await m.run();
  for (const n of names) await Deno.remove(join(src, n));
  counts.head = counts.list = counts.most = 0;
  failing = listsFail;
  const r = await m.syncPaths(names.map((n) => join(src, n)));
  failing = false;
  return { r, counts, store };
}

Deno.test("mirror --watch: the files of an rm dir/* are one listing of the directory, with no HEAD each", async () => {
  await using w = await tempDir();
  const names = Array.from({ length: 40 }, (_, i) => `logs/f${i}.txt`);
  const { r, counts, store } = await syncRemoved(w.dir, "logs/keep.txt", names);
  assertEquals([r.deleted, r.transferred, r.failed.length, r.heads], [40, 0, 0, 0]);
  assertEquals([counts.head, counts.list], [0, 1]);
  assertEquals(Object.keys(await storeContents(store)), ["logs/keep.txt"]);
  await store.close();
});

Deno.test("mirror --watch: gone files one to a directory of a small tree are one listing of it, with no HEAD each", async () => {
  await using w = await tempDir();
  const names = Array.from({ length: 40 }, (_, i) => `logs${i}/f.txt`);
  const { r, counts, store } = await syncRemoved(w.dir, "logs0/keep.txt", names);
  assertEquals([r.deleted, r.transferred, r.failed.length, r.heads], [40, 0, 0, 0]);
  assertEquals([counts.head, counts.list], [0, 1]);
  assertEquals(Object.keys(await storeContents(store)), ["logs0/keep.txt"]);
  await store.close();
});

Deno.test("mirror --watch: gone files one to a directory are looked at concurrency at a time, with no LIST each, when a listing cannot", async () => {
  await using w = await tempDir();
  const names = Array.from({ length: 40 }, (_, i) => `logs${i}/f.txt`);
  const { r, counts, store } = await syncRemoved(w.dir, "logs0/keep.txt", names, true);
  assertEquals([r.deleted, r.transferred, r.failed.length, r.heads], [40, 0, 0, 40]);
  // The one listing of the tree, which failed; then a HEAD each.
  assertEquals([counts.head, counts.list, counts.most], [40, 1, 8]);
  assertEquals(Object.keys(await storeContents(store)), ["logs0/keep.txt"]);
  await store.close();
});

Deno.test("mirror --watch: a gone directory the state knows files below is still listed and emptied", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/a.txt": "a", "d/e/b.txt": "b", "keep.txt": "k" });
  const fs = new FsStore(join(w.dir, "bucket"));
  const { store, counts } = slowHeads(fs);
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  await m.run();
  await Deno.remove(join(src, "d"), { recursive: true });
  counts.list = 0;
  const r = await m.syncPaths([join(src, "d")]);
  assertEquals([r.deleted, r.failed.length], [2, 0]);
  assertEquals(counts.list > 0, true);
  assertEquals(Object.keys(await storeContents(store)), ["keep.txt"]);
  await store.close();
});
