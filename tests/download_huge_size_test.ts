// A store (or a listing) that gives an object a size of tens of TiB or more
// (a broken or hostile S3-compatible server; S3's largest is 5 TiB) made a
// parallel download plan every range up front: one object per 8 MiB, so
// 8 PiB was a billion of them and vc died out of memory (V8's fatal error,
// no message) and 100 TiB took 1.4 GB before the first ranged GET was sent.
// Ranges are now made as they are fetched: the download fails at the
// store's answer, with memory that does not grow with the claimed size.
import { AccessDeniedError } from "../src/errors.ts";
import { downloadToFile } from "../src/store/download.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

Deno.test("download: an object claiming 128 TiB plans its ranges as it goes, not all up front", async () => {
  const SIZE = 2 ** 47;
  let heapAtFirstRange: number | undefined;
  let ranged = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.headers.has("range")) {
      ranged++;
      heapAtFirstRange ??= Deno.memoryUsage().heapUsed;
    }
    return new Response(
      "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
      { status: 403, headers: { "content-type": "application/xml" } },
    );
  });
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-huge-size-" });
  try {
    const expected = { key: "k.bin", size: SIZE, etag: '"abc"', lastModified: new Date(0) };
    const before = Deno.memoryUsage().heapUsed;
    await assertRejects(
      () =>
        downloadToFile(store, "k.bin", `${dir}/k.bin`, {
          expected,
          parallelThreshold: 1024,
          concurrency: 4,
        }),
      AccessDeniedError,
    );
    assert(ranged >= 1, "ranged GETs were sent");
    const grown = heapAtFirstRange! - before;
    assert(grown < 100 * 1024 * 1024, `${(grown / 2 ** 20).toFixed(0)} MiB of heap for the plan`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
