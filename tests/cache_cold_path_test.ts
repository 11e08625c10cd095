// The cold path's shortcuts keep their guarantees: a kept journal handle
// follows its journal when the path names another file, and a cold miss
// that skips its second record lookup still finds a copy another cache
// completed meanwhile (one download).
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import {
  appendRecord,
  keepJournalsOpen,
  lookupRecord,
  readJournal,
} from "../src/cache/record_journal.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { encodeLine } from "../src/cache/journal_file.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { withTempDir } from "./versioned_helpers.ts";
import { writtenLongAgo } from "./finished_file.ts";

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-cold-");
}

const meta = (name: string, etag: string) => ({
  uri: `s3://b/${name}`,
  etag,
  size: 1,
  validatedAt: 0,
});

Deno.test("record journal: a kept handle whose journal was removed appends to a new one at the path", async () => {
  await withDir(async (dir) => {
    const j = `${dir}/.meta/%records.jsonl`;
    const done = keepJournalsOpen();
    try {
      appendRecord(j, "a", meta("a", "e1")); // opens and keeps the handle
      await Deno.remove(j); // behind the kept handle's back
      appendRecord(j, "b", meta("b", "e2"));
      const found = lookupRecord(j, "b");
      assert(found.kind === "record" && found.meta?.etag === "e2", "the line is at the path");
    } finally {
      done();
    }
    assertEquals([...readJournal(j).keys()], ["b"]);
  });
});

Deno.test("record journal: a kept handle whose path now names another file (another writer) appends there", async () => {
  await withDir(async (dir) => {
    const j = `${dir}/.meta/%records.jsonl`;
    const done = keepJournalsOpen();
    try {
      appendRecord(j, "a", meta("a", "e1"));
      // Another process replaced the journal without the compaction's mark.
      await Deno.remove(j);
      await Deno.writeFile(j, encodeLine("c", meta("c", "e3")));
      appendRecord(j, "b", meta("b", "e2"));
      const b = lookupRecord(j, "b");
      const c = lookupRecord(j, "c");
      assert(b.kind === "record" && b.meta?.etag === "e2", "b is in the file at the path");
      assert(c.kind === "record" && c.meta?.etag === "e3", "the other writer's line is kept");
    } finally {
      done();
    }
    assertEquals([...readJournal(j).keys()].sort(), ["b", "c"]);
    assertEquals((await Deno.readTextFile(j)).trim().split("\n").length, 2);
  });
});

Deno.test("record journal: appends through a kept handle are read back by a fresh reader", async () => {
  await withDir(async (dir) => {
    const j = `${dir}/.meta/%records.jsonl`;
    const done = keepJournalsOpen();
    try {
      for (let i = 0; i < 20; i++) appendRecord(j, `k${i}`, meta(`k${i}`, `e${i}`));
      for (let i = 0; i < 20; i++) {
        const found = lookupRecord(j, `k${i}`);
        assert(found.kind === "record" && found.meta?.etag === `e${i}`, `k${i} from memory`);
      }
    } finally {
      done();
    }
    forgetRecords(); // as another process would read it
    for (let i = 0; i < 20; i++) {
      const found = lookupRecord(j, `k${i}`);
      assert(found.kind === "record" && found.meta?.etag === `e${i}`, `k${i} from the file`);
    }
    assertEquals((await Deno.readTextFile(j)).trim().split("\n").length, 20, "one line each");
  });
});

Deno.test("cache(): a cold miss finds the copy another cache completed after its first look (one GET)", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/x.csv`, "a,b\n");
    await writtenLongAgo(`${dir}/src/x.csv`); // a finished file
    const uri = `file://${dir}/src/x.csv`;
    let gets = 0;
    const counting = async (root: string): Promise<ObjectStore> => {
      const store = await openStore(root);
      const get: ObjectStore["get"] = (key, options) => {
        gets++;
        return store.get(key, options);
      };
      return Object.assign(Object.create(store), { get });
    };
    await using other = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      openStore: counting,
    });
    // The store is opened after this cache looked for the record and found
    // none, before it takes the entry's lock: the other cache (another
    // process, as far as the lock knows) completes the entry right then.
    await using cache = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      openStore: async (root) => {
        await other.cache(uri);
        return await counting(root);
      },
    });
    const path = await cache.cache(uri);
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    assertEquals(path, await other.cache(uri));
    assertEquals(gets, 1, "downloaded once, by the other cache");
  });
});

Deno.test("record journal: an append checked by its end offset; another writer's lines are still read", async () => {
  await withDir(async (dir) => {
    forgetRecords();
    const j = `${dir}/.meta/%records.jsonl`;
    const done = keepJournalsOpen();
    try {
      appendRecord(j, "a", meta("a", "e1"));
      assertEquals(lookupRecord(j, "b").kind, "none"); // the journal read once, remembered
      appendRecord(j, "b", meta("b", "e2")); // remembered without reading the file back
      const b = lookupRecord(j, "b");
      assert(b.kind === "record" && b.meta?.etag === "e2", "b from what was remembered");
      // Another process appends a line of the same length (the file grows).
      await Deno.writeFile(j, encodeLine("c", { ...meta("c", "e3"), uri: "s3://b/c" }), {
        append: true,
      });
      appendRecord(j, "d", meta("d", "e4")); // not at the remembered end: read again
      for (const [name, etag] of [["a", "e1"], ["b", "e2"], ["c", "e3"], ["d", "e4"]]) {
        const found = lookupRecord(j, name!);
        assert(found.kind === "record" && found.meta?.etag === etag, `${name} as written`);
      }
    } finally {
      done();
    }
    assertEquals([...readJournal(j).keys()].sort(), ["a", "b", "c", "d"]);
  });
});

Deno.test("record journal: a trusted look answers from what was checked; an untrusted one reads the file", async () => {
  await withDir(async (dir) => {
    forgetRecords();
    const j = `${dir}/.meta/%records.jsonl`;
    appendRecord(j, "a", meta("a", "e1"));
    assertEquals(lookupRecord(j, "x").kind, "none"); // checks the file, remembers it
    await Deno.writeFile(j, encodeLine("x", meta("x", "e2")), { append: true });
    assertEquals(
      lookupRecord(j, "x", { trustMs: 60_000 }).kind,
      "none",
      "within the trust window: the answer of the last check",
    );
    const found = lookupRecord(j, "x");
    assert(found.kind === "record" && found.meta?.etag === "e2", "a checked look sees the line");
    assertEquals(lookupRecord(j, "x", { trustMs: 60_000 }).kind, "record");
  });
});
