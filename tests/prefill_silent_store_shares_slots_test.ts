/**
 * A store that accepts connections and never answers held every download
 * slot until its items timed out: listed first, its items took all
 * `concurrency` slots and the items of other stores (here `file://`) started
 * only once they failed (300 such items then 50 `file://` ones, at a 2 s
 * request timeout and 2 attempts: the 50 fetched after 32 s; ~5 minutes at
 * the defaults). A store that has not answered yet (or says nothing for a
 * while) now holds only a share of the slots while other stores have work:
 * the others' items are fetched while its requests are still outstanding.
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/prefill.ts";
import { within } from "./raw_server.ts";
import { silentStoreCache, withS3Cache } from "./cache_s3_helpers.ts";

/**
 * Prefills the items of `silent` (of a server that never answers), then 50
 * `file://` items, and checks that every `file://` item is fetched while no
 * item of `silent` has ended.
 */
async function othersFetchedBeside(silent: string[], concurrency: number): Promise<void> {
  // No item of the silent store ends during the test: one that did would
  // be counted as failed below.
  await using silentCache = await silentStoreCache("vc-prefill-silent-store-shares-");
  const { server, dir, cache } = silentCache;
  const controller = new AbortController();
  try {
    await Deno.mkdir(`${dir}/files`);
    const others = Array.from({ length: 50 }, (_, i) => `file://${dir}/files/f${i}.txt`);
    for (let i = 0; i < others.length; i++) {
      await Deno.writeTextFile(`${dir}/files/f${i}.txt`, `${i}`);
    }
    let error: unknown;
    const stopOnceAsked = async () => {
      for (let i = 0; i < 200 && server.accepted() < 1; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      controller.abort();
    };
    // Stopped at the latest before the silent store's first timeout: held
    // up by it, the other store's items are then not all fetched.
    const guard = setTimeout(() => controller.abort(), 10_000);
    try {
      await prefill({
        cache,
        uris: [...silent, ...others],
        concurrency,
        signal: controller.signal,
        // Every item of the other store done: the run has shown it, stop it
        // once the silent store's connection is seen (the file:// items can
        // all be done before its server has accepted the request under way).
        onProgress: (p) => {
          if (p.done - p.failed >= others.length) void stopOnceAsked();
        },
      });
    } catch (e) {
      error = e;
    } finally {
      clearTimeout(guard);
    }
    assert(error instanceof PrefillInterruptedError, String(error));
    const { summary } = error;
    // Every item of the other store fetched, none of the silent store's ended
    // (its requests still outstanding when the run was stopped).
    assertEquals(summary.fetched, others.length, JSON.stringify(summary));
    assertEquals(summary.failed, []);
    assert(server.accepted() >= 1, "the silent store was asked");
    for (let i = 0; i < others.length; i++) {
      assertEquals(await Deno.readTextFile(cache.localPath(others[i]!)), `${i}`);
    }
  } finally {
    controller.abort();
  }
}

Deno.test("prefill: a store that never answers leaves slots to the other stores' items", async () => {
  await othersFetchedBeside(Array.from({ length: 300 }, (_, i) => `s3://dead/k${i}`), 16);
});

Deno.test("prefill: more items of a store that never answers than are set aside do not hold up the others", async () => {
  // Past the items set aside (max(1024, 4 × concurrency)), no more of the
  // list was read: the 50 file:// items after 1100 of the silent store waited
  // for its items to time out. Those past the bound now wait on disk, not in
  // memory, and the temp files they use are gone once the run ends.
  const tmp = await Deno.makeTempDir({ prefix: "vc-prefill-set-aside-tmp-" });
  const before = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", tmp);
  try {
    await othersFetchedBeside(Array.from({ length: 1100 }, (_, i) => `s3://dead/k${i}`), 4);
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  } finally {
    if (before === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", before);
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("prefill: two stores that never answer leave a slot to the others at --concurrency 2", async () => {
  // Each took one slot as its first item: both slots.
  const dead = (bucket: string) => Array.from({ length: 20 }, (_, i) => `s3://${bucket}/k${i}`);
  await othersFetchedBeside([...dead("dead"), ...dead("dead2")], 2);
});

Deno.test("prefill: an item set aside starts once its store answers, not once the list gives more", async () => {
  // A list read as it comes (a pipe, a generator) whose next item waits for
  // the ones given to be done: the item set aside while its store had not
  // answered yet starts when it answers, not only once the list gives its
  // next item (it would wait for ever).
  await withS3Cache(async (s3, make) => {
    for (let i = 0; i < 4; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    let done = 0;
    let allDone: () => void = () => {};
    const first = new Promise<void>((resolve) => allDone = resolve);
    async function* items(): AsyncGenerator<string> {
      // At concurrency 2, one slot is the store's until it answers: the
      // second item is set aside.
      yield "s3://b/k0.txt";
      yield "s3://b/k1.txt";
      await first;
      yield "s3://b/k2.txt";
      yield "s3://b/k3.txt";
    }
    const controller = new AbortController();
    const running = prefill({
      cache: make(),
      uris: items(),
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        done = p.done;
        if (done >= 2) allDone();
      },
    });
    let summary;
    try {
      // Stuck, it fails rather than hangs.
      summary = await within(10_000, running);
    } finally {
      controller.abort();
      allDone();
      await running.catch(() => {});
    }
    assertEquals(summary.fetched, 4, JSON.stringify(summary));
    assertEquals(summary.failed, []);
  });
});
