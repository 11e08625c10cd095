/**
 * A directory store remembers a file's MD5 against its state (size, mtime,
 * inode, ctime): in memory for a store that must not write sidecars, in a
 * repaired sidecar otherwise. A state statted within a timestamp tick of its
 * last change is also the state of the next same-size write in that tick,
 * so such a state is never remembered: that write is hashed, not given the
 * old ETag (and a `file://` source cached with `timeout: 0` is not served
 * with its old content).
 */
import { join } from "node:path";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assertEquals } from "./assert.ts";

const enc = new TextEncoder();

/**
 * Writes `a`, lets `read` see it, then writes `b` (same size) with `a`'s
 * mtime: the state a write in the same clock tick leaves (ctime is whole
 * seconds in Deno; a try that crossed a second is taken again).
 */
async function sameTickEdit(path: string, read: () => Promise<void>, a: string, b: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await Deno.writeTextFile(path, a);
    await read();
    const before = await Deno.stat(path);
    await Deno.writeTextFile(path, b);
    await Deno.utime(path, before.atime!, before.mtime!);
    if ((await Deno.stat(path)).ctime?.getTime() === before.ctime?.getTime()) return;
  }
  throw new Error("no try of the edit stayed within one second of ctime");
}

for (const sidecars of ["read-only", "write"] as const) {
  Deno.test(`FsStore (sidecars: ${sidecars}): a same-tick same-size edit is hashed, not remembered`, async () => {
    const root = await Deno.makeTempDir({ prefix: "vc-fs-racy-" });
    try {
      const store = new FsStore(root, { sidecars });
      const path = join(root, "a.txt");
      await sameTickEdit(
        path,
        async () => {
          assertEquals((await store.head("a.txt"))?.etag, md5Hex(enc.encode("AAAA")));
        },
        "AAAA",
        "BBBB",
      );
      assertEquals((await store.head("a.txt"))?.etag, md5Hex(enc.encode("BBBB")));
      const got = await store.get("a.txt");
      assertEquals(got.info.etag, md5Hex(enc.encode("BBBB")));
      assertEquals(await new Response(got.body).text(), "BBBB");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("AssetCache, file:// with timeout 0: a same-tick same-size edit serves the new content", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-fs-racy-cache-" });
  try {
    const src = join(await Deno.realPath(dir), "src");
    await Deno.mkdir(src);
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      timeout: 0,
    });
    const path = join(src, "a.txt");
    const uri = `file://${path}`;
    await sameTickEdit(
      path,
      async () => {
        assertEquals(await Deno.readTextFile(await assets.cache(uri)), "AAAA");
      },
      "AAAA",
      "BBBB",
    );
    assertEquals(await Deno.readTextFile(await assets.cache(uri)), "BBBB");
    assertEquals([...Deno.readDirSync(src)].map((e) => e.name), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
