/**
 * What the tests of a store → local mirror whose keys clash with directories
 * of other keys share: a store holding given keys, the report's clash lines
 * in a comparable form, and the check that a shape of keys ends the same at
 * a given concurrency, in a dry run and on every run after.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { tempDir, treeContents } from "./mirror_helpers.ts";

const enc = new TextEncoder();

/** A memory store holding `keys` (key → text). */
export async function storeWith(
  keys: Record<string, string>,
  url = "memory://bkt",
): Promise<MemoryStore> {
  const store = new MemoryStore({ url });
  for (const [key, text] of Object.entries(keys)) await store.put(key, enc.encode(text));
  return store;
}

/**
 * The report's failures as `key: gives way to "below"` (a key that gave way
 * to a directory, exact or in another case) or `key: error`, sorted.
 */
export function clashLines(failed: { key?: string; error: string }[]): string[] {
  return failed.map((f) => {
    const below =
      /^not written: the key ("[^"]*") needs (a directory of this name|the directory "[^"]*", the same name here)/
        .exec(f.error);
    return `${f.key}: ${below === null ? f.error : `gives way to ${below[1]}`}`;
  }).sort();
}

/** Keys of a store, and what a mirror of them leaves and reports. */
export interface ClashShape {
  name: string;
  keys: Record<string, string>;
  /** The local tree the mirror ends with. */
  tree: Record<string, string>;
  /** {@linkcode clashLines} of its report. */
  lines: string[];
}

/**
 * Mirrors `shape` to a new directory at `concurrency` with `--delete`: a dry
 * run plans exactly the tree's downloads and reports the lines; then three
 * runs end with the tree and the same lines, the first transferring the
 * tree, none deleting or counting anything extra.
 */
export async function checkClashShape(shape: ClashShape, concurrency: number): Promise<void> {
  await using dir = await tempDir();
  await using store = await storeWith(shape.keys);
  const target = join(dir.dir, "t");
  const options = {
    sources: [store],
    target,
    concurrency,
    delete: true,
    statePath: join(dir.dir, "s.db"),
  };
  const dry = await mirror({ ...options, dryRun: true });
  assertEquals(clashLines(dry.failed), shape.lines);
  assertEquals(
    dry.actions?.map((a) => `${a.action} ${a.key}`),
    Object.keys(shape.tree).sort().map((k) => `download ${k}`),
  );
  for (let run = 0; run < 3; run++) {
    const r = await mirror(options);
    assertEquals(clashLines(r.failed), shape.lines, `run ${run}`);
    assertEquals(r.transferred, run === 0 ? Object.keys(shape.tree).length : 0);
    assertEquals([r.deleted, r.extra], [0, 0]);
    assertEquals(await treeContents(target), shape.tree);
  }
}
