import { assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { verifyEntries } from "../src/cache/maintenance.ts";
import { pathToFileURL } from "node:url";
import { pastChangeSecond } from "./ctime_second.ts";
import { keepLastUse, lastUseBeforeRead } from "../src/cache/last_use_keep.ts";

const DAY = 86_400_000;

/**
 * Caches `a.csv` and `b.csv` (file:// sources), both last used three days
 * ago, and runs `verify` one entry at a time: `between` runs after `a` was
 * checked and before `b` is, that is after verify listed `b` and before it
 * hashes it and puts its access time back.
 */
async function verifyWithUseOfB(
  between: (bPath: string) => void,
): Promise<{ bPath: string; used: number; cache: AssetCache; uriB: string; root: string }> {
  const root = await Deno.makeTempDir({ prefix: "vc-verify-last-use-" });
  const cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false, env: {} });
  const used = Date.now() - 3 * DAY;
  const paths: string[] = [];
  for (const name of ["a", "b"]) {
    await Deno.writeTextFile(`${root}/${name}.csv`, name.repeat(4096));
    const path = await cache.cache(pathToFileURL(`${root}/${name}.csv`).href);
    await Deno.utime(path, new Date(used), (await Deno.lstat(path)).mtime!);
    paths.push(path);
  }
  const bPath = paths[1]!;
  await pastChangeSecond(bPath);
  let ran = false;
  const r = await verifyEntries(`${root}/cache`, {
    concurrency: 1,
    onProgress: ({ done }) => {
      if (done === 1) {
        between(bPath);
        ran = true;
      }
    },
  });
  assertEquals([r.ok, r.corrupt.length, ran], [2, 0, true]);
  return { bPath, used, cache, uriB: pathToFileURL(`${root}/b.csv`).href, root };
}

Deno.test("cache verify: a use marked while it runs is kept, so prune keeps the entry", async () => {
  const { bPath, used, cache, uriB, root } = await verifyWithUseOfB((bPath) => {
    // What a reader's warm hit does (`markUsed`: one utime), synchronously
    // so it lands between verify's listing and its check of this entry.
    const { mtime } = Deno.lstatSync(bPath);
    Deno.utimeSync(bPath, new Date(), mtime!);
  });
  try {
    assert(
      (await Deno.lstat(bPath)).atime!.getTime() > used + DAY,
      "the reader's mark was put back to the time verify listed",
    );
    // The unused entry goes, the one just used stays.
    const pruned = await cache.prune({ olderThan: DAY / 1000 });
    assertEquals(pruned.removed.map((e) => e.uri).includes(uriB), false);
    assertEquals(pruned.removed.length, 1);
  } finally {
    await cache[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache verify: a copy renamed into place meanwhile keeps its own access time", async () => {
  let renamedAt = 0;
  const { bPath, cache, root } = await verifyWithUseOfB((bPath) => {
    // A refresh that renamed a new identical copy into place, which kept
    // the old one's size and modification time (as a copy keeping its times
    // has): it is another file, whose access time verify never listed.
    const { mtime } = Deno.lstatSync(bPath);
    const next = `${bPath}.next`;
    Deno.writeTextFileSync(next, "b".repeat(4096));
    renamedAt = Date.now();
    Deno.utimeSync(next, new Date(renamedAt), mtime!);
    Deno.renameSync(next, bPath);
  });
  try {
    // Never the access time verify listed for the old file (three days ago)
    // put on the new one. Verify's own read may move it on (the new file
    // changed within this second, so what the read moves is not put back;
    // whether relatime moves it depends on when the rename's ctime landed).
    const atime = (await Deno.lstat(bPath)).atime!.getTime();
    assert(atime >= renamedAt, `${atime} is before the copy's own ${renamedAt}`);
  } finally {
    await cache[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache verify: with nothing in between, hashing still leaves the last use as it was", async () => {
  const { bPath, used, cache, root } = await verifyWithUseOfB(() => {});
  try {
    assertEquals((await Deno.lstat(bPath)).atime!.getTime(), used);
  } finally {
    await cache[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
  }
});

for (const marked of [false, true]) {
  Deno.test(
    `cache verify: the access time its read moved is put back${
      marked ? ", not a use marked during the read" : ""
    }`,
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc-verify-last-use-" });
      try {
        const path = `${dir}/file/data.csv`;
        await Deno.mkdir(`${dir}/file`);
        await Deno.writeTextFile(path, "d".repeat(4096));
        const used = Date.now() - 3 * DAY;
        await Deno.utime(path, new Date(used), (await Deno.lstat(path)).mtime!);
        await pastChangeSecond(path);
        const before = await lastUseBeforeRead(path);
        assert(before !== undefined, "a file changed in an earlier second is seen");
        await Deno.readFile(path); // verify's hash (relatime: an access time a day old moves)
        const markedAt = Date.now();
        if (marked) Deno.utimeSync(path, new Date(markedAt), Deno.lstatSync(path).mtime!);
        await keepLastUse(dir, path, before);
        assertEquals((await Deno.lstat(path)).atime!.getTime(), marked ? markedAt : used);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}
