/**
 * A closed `S3Store` refuses requests with a `StoreError` (a `VcError`, as
 * `MemoryStore` does), not a bare `Error` callers cannot tell from a bug.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError, VcError } from "../mod.ts";
import { S3Store } from "../src/store/mod.ts";

Deno.test("S3Store used after close rejects with a StoreError", async () => {
  const store = new S3Store({
    bucket: "b",
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  await store.close();
  const calls: Array<() => Promise<unknown>> = [
    () => store.get("k"),
    () => store.head("k"),
    () => store.put("k", new Uint8Array(1)),
    () => store.delete(["k"]),
    () => store.copy("k", "k2"),
    async () => {
      for await (const _ of store.list("")) break;
    },
  ];
  for (const call of calls) {
    const e = await assertRejects(call, StoreError);
    assertStringIncludes(e.message, "is closed");
    if (!(e instanceof VcError)) throw new Error("not a VcError");
  }
});
