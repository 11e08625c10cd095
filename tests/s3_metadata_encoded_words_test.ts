// User metadata with characters other than ASCII: S3 answers it RFC 2047
// encoded (`=?UTF-8?B?...?=`), and vc handed that on undecoded; a multipart
// copy then sent the value it read as a raw header (a TypeError for one
// outside Latin-1). Values are now decoded on read and encoded on write.
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { testS3Store } from "./versioned_helpers.ts";

const TITLE = "été 日本";
// As S3 sends it: base64 of the UTF-8 bytes.
const TITLE_B = `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode(TITLE)))}?=`;

Deno.test("s3 head/get: RFC 2047 encoded metadata values are decoded", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new Response(req.method === "HEAD" ? null : "hello", {
        headers: {
          etag: '"5d41402abc4b2a76b9719d911017c592"',
          "content-length": "5",
          "x-amz-meta-title": TITLE_B,
          "x-amz-meta-q": "=?utf-8?Q?caf=C3=A9_cr=C3=A8me?=",
          // Two words (a long value): the space between them is no part of it.
          "x-amz-meta-two": "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=",
          "x-amz-meta-plain": "a =? b",
          "x-amz-meta-unknown": "=?x-no-such?B?w6k=?=",
        },
      }),
  );
  await using store = testS3Store({ url: `http://127.0.0.1:${server.addr.port}` }, "b", {
    maxAttempts: 1,
  });
  const expected = {
    title: TITLE,
    q: "café crème",
    two: "éé",
    plain: "a =? b",
    unknown: "=?x-no-such?B?w6k=?=",
  };
  assertEquals((await store.head("k.txt"))?.metadata, expected);
  const got = await store.get("k.txt");
  await got.body.cancel();
  assertEquals(got.info.metadata, expected);
});

Deno.test("s3 copy in parts: a non-ASCII metadata value read from the source reaches the copy", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  await s3.putObject("b", "src.bin", "0123456789", { metadata: { title: TITLE_B } });
  await using store = testS3Store(s3, "b", { multipartCopyThreshold: 4 });
  await store.copy("src.bin", "dst.bin");
  assertEquals((await store.head("dst.bin"))?.metadata, { title: TITLE });
});
