/**
 * A first upload of a large tree showed a count and a rate, but no total,
 * percentage or ETA until its last transfers were in flight: the run
 * compares as its walk streams in, and the walk runs only a bounded way
 * ahead of the uploads (12,000 small files to moto: 27 s of `mirror  10201
 * 178.2 kB  8.2 kB/s`, the bar only in the last second). A rerun after a
 * `kill -9` mid-upload was the same for the files still to go, and so was a
 * first download. Now a pass that has many files to send counts its sources
 * beside its work (a walk of names and sizes, nothing read; from a store,
 * one more listing), and the progress carries that estimate as its totals
 * (files not compared yet taken as to be sent) until the walk and listing
 * end and give the exact ones.
 *
 * The store holds every transfer until a progress with a total has come; a
 * safety release after a while keeps a failing test bounded (it is no
 * timing assertion: the assertion is that the total came before any file
 * was done).
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorProgress } from "../src/mirror/types.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";
import { WrappingStore } from "./versioned_helpers.ts";

/** Holds each PUT and GET until `release()` (or the safety release). */
class GatedStore extends WrappingStore {
  #release!: () => void;
  readonly #released = new Promise<void>((r) => this.#release = r);
  readonly #safety = setTimeout(() => this.#release(), 10_000);
  release(): void {
    this.#release();
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    await this.#released;
    return await this.inner.put(key, body, options);
  }
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    await this.#released;
    return await this.inner.get(key, options);
  }
  override close(): Promise<void> {
    clearTimeout(this.#safety);
    this.#release();
    return Promise.resolve();
  }
}

const FILES = 100;

function tree(prefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) {
    files[`d${i % 4}/${prefix}${String(i).padStart(3, "0")}.txt`] = "x".repeat(10 + i);
  }
  return files;
}

const treeBytes = (n: number) => n * 10 + (n * (n - 1)) / 2;

Deno.test("mirror local → store: a pass with files to send gives totals before its first is done", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, tree("a"));
  const store = new GatedStore(new MemoryStore());
  try {
    const seen: MirrorProgress[] = [];
    const options = {
      sources: [src],
      target: store,
      statePath: join(w.dir, "s.db"),
      racyWindowMs: RACY_MS,
      // 80 in flight, the first held: enough to send for the count to start
      // (a pass with a few files to send does not count), while the walk
      // cannot be read to its end.
      concurrency: 80,
      onProgress: (p: MirrorProgress) => {
        seen.push({ ...p });
        if (p.total !== undefined) store.release();
      },
    };
    const r = await mirror(options);
    assertEquals([r.transferred, r.bytes], [FILES, treeBytes(FILES)]);
    const first = seen.find((p) => p.total !== undefined);
    assert(first !== undefined, JSON.stringify(seen.slice(0, 3)));
    // Before any file was done: every file of the tree, all its bytes.
    assertEquals(
      [first.done, first.total, first.totalBytes],
      [0, FILES, treeBytes(FILES)],
      JSON.stringify(seen.slice(0, 3)),
    );
    for (const p of seen.filter((p) => p.total !== undefined)) {
      assert(p.total! >= p.done && p.totalBytes! >= p.bytes, JSON.stringify(p));
    }
    const last = seen.at(-1)!;
    assertEquals([last.done, last.total, last.bytes, last.totalBytes], [
      FILES,
      FILES,
      treeBytes(FILES),
      treeBytes(FILES),
    ]);
  } finally {
    await store.close();
  }
});

Deno.test("mirror store → local: a pass with files to fetch gives totals before its first is done", async () => {
  await using w = await tempDir();
  const inner = new MemoryStore();
  for (const [key, text] of Object.entries(tree("b"))) {
    await inner.put(`p/${key}`, new TextEncoder().encode(text));
  }
  const store = new GatedStore(inner);
  try {
    const seen: MirrorProgress[] = [];
    const r = await mirror({
      sources: [store],
      sourcePrefix: "p",
      target: join(w.dir, "down"),
      statePath: join(w.dir, "s.db"),
      concurrency: 80,
      onProgress: (p: MirrorProgress) => {
        seen.push({ ...p });
        if (p.total !== undefined) store.release();
      },
    });
    assertEquals([r.transferred, r.bytes], [FILES, treeBytes(FILES)]);
    const first = seen.find((p) => p.total !== undefined);
    assert(first !== undefined, JSON.stringify(seen.slice(0, 3)));
    assertEquals(
      [first.done, first.total, first.totalBytes],
      [0, FILES, treeBytes(FILES)],
      JSON.stringify(seen.slice(0, 3)),
    );
    const last = seen.at(-1)!;
    assertEquals([last.done, last.total, last.totalBytes], [FILES, FILES, treeBytes(FILES)]);
  } finally {
    await store.close();
  }
});

Deno.test("mirror store → local: the count's listing of a directory store says nothing the pass says", async () => {
  // The pass's listing reports a file no key can name as the run's own
  // skip; the count's listing, given no onWarning, told it again through
  // the process-wide listing warnings (the CLI printed it a second time).
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(join(src, "p"), tree("c"));
  await Deno.writeTextFile(join(src, "p", "bad\\name.txt"), "x");
  const { FsStore } = await import("../src/store/fs.ts");
  const { listenToListWarnings } = await import("../src/store/list_warning_notice.ts");
  const heard: string[] = [];
  const stop = listenToListWarnings((warning) => heard.push(warning.message));
  const store = new GatedStore(new FsStore(src));
  try {
    let counted = false;
    const r = await mirror({
      sources: [store],
      sourcePrefix: "p",
      target: join(w.dir, "down"),
      statePath: join(w.dir, "s.db"),
      concurrency: 80,
      onProgress: (p: MirrorProgress) => {
        if (p.total === undefined) return;
        // Before any file was done: the count's estimate, its listing read whole.
        if (p.done === 0) counted = true;
        store.release();
      },
    });
    assertEquals(r.transferred, FILES);
    // Said once, by the pass.
    assert(JSON.stringify(r).includes("bad\\\\name.txt"), JSON.stringify(r));
    assert(counted, "no total before the first file was done");
    assertEquals(heard, []);
  } finally {
    stop();
    await store.close();
  }
});
