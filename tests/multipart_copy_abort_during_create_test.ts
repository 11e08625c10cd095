/**
 * A copy in parts whose caller gave up while the upload was being created
 * (the signal aborted during `create`) copied every part anyway and
 * completed: the abort listener was added after the signal had aborted, so
 * it never ran. It now stops there, aborts the upload and throws the
 * caller's reason, as an upload in parts does (both forward the caller's
 * signal with `forwardAbort`).
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { copyInParts } from "../src/store/multipart_copy.ts";

Deno.test("copyInParts: a signal aborted while the upload is created stops the copy and aborts it", async () => {
  const caller = new AbortController();
  const calls: string[] = [];
  const reason = new Error("given up");
  await assertRejects(
    () =>
      copyInParts(
        {
          create: () => {
            calls.push("create");
            caller.abort(reason);
            return Promise.resolve("u1");
          },
          copyPart: (_id, n) => {
            calls.push(`part ${n}`);
            return Promise.resolve(`e${n}`);
          },
          complete: () => {
            calls.push("complete");
            return Promise.resolve("etag");
          },
          abort: (id) => {
            calls.push(`abort ${id}`);
            return Promise.resolve();
          },
        },
        10,
        { partSize: 4, concurrency: 1, uri: "s3://b/copy", signal: caller.signal },
      ),
    Error,
    "given up",
  );
  assertEquals(calls, ["create", "abort u1"]);
});
