/**
 * A prefill whose list names one store that has not answered yet sets the
 * items past that store's share of the slots aside while it reads on (to
 * find other stores' work). Reading a list already in memory is a chain of
 * microtasks, so the items in flight had no turn until the whole list was
 * read, checked and set aside: a list of 20,000 URIs of one store was
 * spilled to temp files before its first request went out. Now the reading
 * gives the event loop a turn every few dozen items set aside: the first
 * request goes out before the list is read to its end (how far the reading
 * gets first depends on the machine: tens to thousands of items; 66 to 388
 * of 20,000 with 16 busy loops beside it on 2 cores). The turns' cadence
 * itself is counted, not raced, in prefill_scheduler_turns_test.ts.
 */
import { assert, assertRejects } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";

Deno.test("a long list of one store is not read to its end before the first request goes out", async () => {
  let read = 0;
  let readAtFirstRequest: number | undefined;
  await using s3 = await startFakeS3({ buckets: ["b"] });
  // The first connection to the store is the first request going out; the
  // run stops there (the rest is not this test's).
  const stop = new AbortController();
  const { connect } = Deno;
  Deno.connect = ((options: Deno.ConnectOptions) => {
    readAtFirstRequest ??= read;
    stop.abort();
    return connect(options);
  }) as typeof Deno.connect;
  const count = 20_000;
  const dir = await Deno.makeTempDir({ prefix: "vc-prefill-long-list-" });
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      store: testS3Options(s3, { maxAttempts: 1 }),
      warn: () => {},
    });
    // Read lazily, counted as each item is taken from it.
    const uris = {
      *[Symbol.iterator]() {
        for (let i = 0; i < count; i++) {
          read++;
          yield `s3://b/k${i}`;
        }
      },
    };
    await assertRejects(() => prefill({ cache, uris, concurrency: 4, signal: stop.signal }));
    assert(readAtFirstRequest !== undefined);
    assert(
      readAtFirstRequest < count,
      `${readAtFirstRequest} of ${count} items read before the first request`,
    );
  } finally {
    Deno.connect = connect;
    await Deno.remove(dir, { recursive: true });
  }
});
