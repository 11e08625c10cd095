/**
 * A key `FsStore` refuses is named in an error that also names the store,
 * as `S3Store`'s errors do (`key "…" in s3://b …`), and a long key is quoted
 * in part: `vc add` of a path whose key a directory bucket cannot hold said
 * `invalid key "<all 1000 characters>": …`, naming neither the bucket nor
 * a line one could read.
 */
import { FsStore } from "../src/store/fs.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("FsStore: a refused key's error names the store, and a long key in part", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fs_key_error_" });
  try {
    const store = new FsStore(dir);
    const long = `d/${"y".repeat(300)}.csv`;
    const calls: [string, () => Promise<unknown>][] = [
      ["a//b", () => store.put("a//b", new Uint8Array(1))],
      ["a//b", () => store.head("a//b")],
      ["a//b", () => store.get("a//b")],
      ["a//b", () => store.delete(["a//b"])],
      ["a//b", () => store.copy("ok", "a//b")],
      [long, () => store.put(long, new Uint8Array(1))],
      ["x".repeat(1025), () => store.put("x".repeat(1025), new Uint8Array(1))],
    ];
    for (const [key, call] of calls) {
      const e = await assertRejects(call, InvalidInputError);
      assertStringIncludes(e.message, ` in ${store.url}: `);
      if (key.length > 100) {
        assertStringIncludes(e.message, `(${key.length} characters)`);
        assert(e.message.length < 300, e.message);
      } else {
        assertStringIncludes(e.message, `invalid key ${JSON.stringify(key)} in`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
