// A server (or a proxy on the way) whose first answer is cut short with a
// Content-Length to match, while its ranged answers tell the object's real
// size under the same ETag: one version cannot have two sizes. The download
// took it for an object replaced twice and said "changed twice while
// downloading it; try again", which no retry mends. It now says the answers
// disagree on the size, with both sizes.
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { downloadToFile } from "../src/store/download.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

const RANGE = 64 * 1024;
const SIZE = 8 * RANGE;
const DATA = Uint8Array.from({ length: SIZE }, (_, i) => (i * 13 + (i >> 10)) & 0xff);
const ETAG = `"${md5Hex(DATA)}"`;

Deno.test("download: answers that give one ETag two sizes are said as such, not as a replaced object", async () => {
  let gets = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (req.method !== "GET") return new Response(null, { status: 405 });
    gets++;
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.get("range") ?? "");
    if (range === null) {
      // Half the object, its length told to match.
      const half = DATA.slice(0, SIZE / 2);
      return new Response(half, { headers: { etag: ETAG, "content-length": String(half.length) } });
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]) + 1, SIZE);
    return new Response(DATA.slice(start, end), {
      status: 206,
      headers: {
        etag: ETAG,
        "content-length": String(end - start),
        "content-range": `bytes ${start}-${end - 1}/${SIZE}`,
      },
    });
  });
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-size-disagreement-" });
  try {
    const e = await assertRejects(
      () =>
        downloadToFile(store, "k.bin", `${dir}/k.bin`, {
          parallelThreshold: RANGE,
          partSize: RANGE,
          concurrency: 2,
        }),
      IntegrityError,
    );
    assertStringIncludes(e.message, `${SIZE / 2} bytes`);
    assertStringIncludes(e.message, `${SIZE} bytes`);
    assert(!e.message.includes("changed"), e.message);
    // Not fetched again: another try brings the same answers.
    assert(gets <= 4, `${gets} GETs`);
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
