/**
 * An answer giving an object size no object has (past 2^53 bytes, from a
 * broken or hostile endpoint) is refused with an `IntegrityError` naming it:
 * a download used to plan ranges for it without end until memory ran out.
 */
import { IntegrityError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { rawServer } from "./raw_server.ts";

const enc = new TextEncoder();

Deno.test("s3 store: a Content-Length past 2^53 is refused by head and get", async () => {
  // One request per connection is enough here; answer, then close.
  await using server = rawServer(async (conn) => {
    const buf = new Uint8Array(16 * 1024);
    if ((await conn.read(buf)) === null) return;
    const head = new TextDecoder().decode(buf).startsWith("HEAD");
    await conn.write(enc.encode(
      'HTTP/1.1 200 OK\r\nETag: "5d41402abc4b2a76b9719d911017c592"\r\n' +
        `Content-Length: 99999999999999999999\r\nConnection: close\r\n\r\n${head ? "" : "hello"}`,
    )).catch(() => {});
    conn.close();
  });
  const store = new S3Store({
    bucket: "b",
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
    maxAttempts: 1,
  });
  try {
    const head = await assertRejects(() => store.head("k"), IntegrityError);
    assertStringIncludes(head.message, "99999999999999999999");
    const get = await assertRejects(() => store.get("k"), IntegrityError);
    assertStringIncludes(get.message, "which no object has");
  } finally {
    await store.close();
  }
});
