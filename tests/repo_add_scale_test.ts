/**
 * `repo add` into a directory store must not read a directory that grows
 * with the repository. A directory store's first put into a directory reads
 * it whole, to sweep temp files of dead writers; with every content object in
 * one flat `content/` directory, each `vc repo add` process read every earlier
 * record's files, so n adds cost O(n²) (0.10 s per add at 1,000 records, 0.47 s
 * at 50,000). Content keys now sit in 256 directories named by the first two
 * hex digits of their random name.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

const RECORDS = 400;

/** Runs `fn` counting the directory entries `Deno.readDir` hands out. */
async function countDirEntriesRead(fn: () => Promise<unknown>): Promise<number> {
  const original = Deno.readDir;
  let entries = 0;
  Deno.readDir = (path: string | URL) => {
    const inner = original(path);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const e of inner) {
          entries++;
          yield e;
        }
      },
    };
  };
  try {
    await fn();
  } finally {
    Deno.readDir = original;
  }
  return entries;
}

Deno.test("repo add: a fresh process's add into a directory store reads no directory that grows with the repository", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_scale_" });
  try {
    const uri = `file://${dir}/repo`;
    {
      await using repo = await Repository.init(uri);
      const bytes = new TextEncoder().encode("x");
      for (let i = 0; i < RECORDS; i++) await repo.add(`/p/${i}`, bytes);
    }
    // A fresh Repository (as each `vc repo add` process opens): its store's
    // first put into a directory sweeps that directory.
    await using repo = await Repository.open(uri);
    let key = "";
    const read = await countDirEntriesRead(async () => {
      key = (await repo.add("/new.csv", new TextEncoder().encode("a,b\n"))).contentKey;
    });
    // Each record is two files (the object and its metadata sidecar), spread
    // over 256 directories: a few per directory. A flat directory is 2 × RECORDS.
    assert(read < 100, `one add read ${read} directory entries (${2 * RECORDS} files stored)`);
    assertMatch(key, /^content\/([0-9a-f]{2})\/\1[0-9a-f-]{34}\.csv$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: content in shard directories is checked, purged and collected as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_scale_" });
  try {
    await using repo = await Repository.init(`file://${dir}/repo`);
    const a = await repo.add("/a.txt", new TextEncoder().encode("a"));
    const b = await repo.add("/b.txt", new TextEncoder().encode("b"));
    const shardOf = (key: string) => join(dir, "repo", key.split("/").slice(0, 2).join("/"));
    assertEquals((await repo.check()).ok, true);

    // An object no record names, inside a shard directory: an orphan.
    const orphanKey = `content/${a.contentKey.split("/")[1]}/orphan.bin`;
    await repo.store.put(orphanKey, new TextEncoder().encode("o"));
    const checked = await repo.check({ graceMs: 0 });
    assertEquals(checked.orphans.map((o) => o.key), [orphanKey]);
    await new Promise((r) => setTimeout(r, 5));
    const report = await repo.gc({ graceMs: 0 });
    assert(report.deletedObjects.includes(orphanKey), JSON.stringify(report.deletedObjects));
    assert(report.deletedObjects.includes(a.contentKey), "the unpublished record was purged");

    // Purged content goes with its (then empty) shard directory.
    assertEquals(await repo.store.head(a.contentKey), undefined);
    if (a.contentKey.split("/")[1] !== b.contentKey.split("/")[1]) {
      assertEquals(await Deno.lstat(shardOf(a.contentKey)).catch(() => undefined), undefined);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
