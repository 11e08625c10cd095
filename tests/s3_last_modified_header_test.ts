/**
 * A HEAD or GET answer whose Last-Modified is no date (a broken or hostile
 * endpoint) is refused with an `IntegrityError` naming the object and the
 * value: it used to become an Invalid Date in the object's info, whose
 * `toISOString()` throws a RangeError far away (`vc repo check`) and whose
 * age checks are never true. An answer without Last-Modified still passes.
 */
import { IntegrityError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

const MD5_HELLO = "5d41402abc4b2a76b9719d911017c592";

Deno.test("s3 store: a Last-Modified that is no date is refused by head and get", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      await req.body?.cancel();
      const headers = new Headers({ etag: `"${MD5_HELLO}"`, "content-length": "5" });
      if (new URL(req.url).pathname.endsWith("/bad")) headers.set("last-modified", "garbage");
      return new Response(req.method === "HEAD" ? null : "hello", { headers });
    },
  );
  const store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
    maxAttempts: 1,
  });
  try {
    const head = await assertRejects(() => store.head("bad"), IntegrityError);
    assertStringIncludes(head.message, "s3://b/bad");
    assertStringIncludes(head.message, '"garbage"');
    const get = await assertRejects(() => store.get("bad"), IntegrityError);
    assertStringIncludes(get.message, "Last-Modified");
    const none = await store.head("none");
    assertEquals(none?.lastModified.getTime(), 0);
  } finally {
    await store.close();
  }
});
