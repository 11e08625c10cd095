/**
 * A backslash in a mirror's key prefix (in the store URI, `--target-prefix`
 * or a store source's `--source-prefix`) is refused, naming the prefix: in
 * a key it is a character, not a separator. It was read as `/`, so
 * `vc mirror DIR 's3://b/win\dir'` wrote to `win/dir/...`, and a mirror of
 * `s3://b/a\b` down with `--delete` took the objects of `a/b/` for it.
 * A SOURCE directory whose own name holds one (Linux) keeps it in its keys,
 * as its files' keys do.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { openStore } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { storeContents, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const s3 = {
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};

Deno.test("mirror: a backslash in a key prefix is refused, never read as a separator", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using w = await tempDir();
  const opened: Awaited<ReturnType<typeof openStore>>[] = [];
  const open = async (uri: string) => {
    const store = await openStore(uri, { s3: { ...s3, endpoint: fake.url } });
    opened.push(store);
    return store;
  };
  try {
    const bucket = await open("s3://b");
    await bucket.put("a/b/x.txt", new TextEncoder().encode("x"));
    const src = join(w.dir, "src");
    await writeTree(src, { "f.txt": "f" });
    const state = (n: number) => join(w.dir, `s${n}.db`);
    // Local → store: the URI's prefix and --target-prefix.
    for (
      const [target, targetPrefix, named] of [
        ["s3://b/win\\dir", undefined, '"win\\\\dir" of s3://b/win\\dir'],
        ["s3://b", "x\\y", '"x\\\\y"'],
      ] as const
    ) {
      const e = await assertRejects(
        () =>
          mirror({
            sources: [src],
            target,
            ...(targetPrefix === undefined ? {} : { targetPrefix }),
            statePath: state(1),
            openStore: open,
          }),
        InvalidInputError,
      );
      assertStringIncludes(e.message, `prefix ${named} holds a backslash`);
    }
    assertEquals(Object.keys(await storeContents(bucket)), ["a/b/x.txt"]);
    // Store → local with --delete: the prefix a\b is not a/b.
    const local = join(w.dir, "local");
    await writeTree(local, { "keep.txt": "k" });
    for (
      const [source, sourcePrefix] of [["s3://b/a\\b", undefined], ["s3://b", "a\\b"]] as const
    ) {
      await assertRejects(
        () =>
          mirror({
            sources: [source],
            target: local,
            ...(sourcePrefix === undefined ? {} : { sourcePrefix }),
            delete: true,
            statePath: state(2),
            openStore: open,
          }),
        InvalidInputError,
        "holds a backslash",
      );
    }
    assertEquals(await treeContents(local), { "keep.txt": "k" });
    // A trailing slash is still the one directory (a doubled one is refused:
    // store_prefix_empty_segment_test.ts).
    await mirror({
      sources: [src],
      target: "s3://b/up/load/",
      statePath: state(3),
      openStore: open,
    });
    assertEquals((await bucket.head("up/load/f.txt"))?.size, 1);
    // A SOURCE named with a backslash below --source-prefix keeps it.
    if (Deno.build.os !== "windows") {
      await writeTree(join(w.dir, "p", "q\\r"), { "g.txt": "g" });
      await mirror({
        sources: [join(w.dir, "p", "q\\r")],
        sourcePrefix: join(w.dir, "p"),
        target: "s3://b/s",
        statePath: state(4),
        openStore: open,
      });
      assertEquals((await bucket.head("s/q\\r/g.txt"))?.size, 1);
      assertEquals(await bucket.head("s/q/r/g.txt"), undefined);
    }
  } finally {
    for (const store of opened) await store.close();
  }
});
