// A proxy in front of S3 that weakens ETag headers (`W/"<etag>"`, as nginx
// does when it touches a body) while the listing's XML keeps them strong:
// a weak tag compares equal to the same strong one (RFC 9110 weak
// comparison), so a mirror run after a download finds the multipart object
// unchanged instead of downloading it again on every run.
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";
import { fakeBackend, RACY_MS, settle, tempDir, writeTree } from "./mirror_helpers.ts";

function weakening(store: ObjectStore): ObjectStore {
  return new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "head") {
        return async (...args: Parameters<ObjectStore["head"]>) => {
          const info = await target.head(...args);
          return info && { ...info, etag: `W/${info.etag}` };
        };
      }
      if (name === "get") {
        return async (...args: Parameters<ObjectStore["get"]>) => {
          const got = await target.get(...args);
          return { ...got, info: { ...got.info, etag: `W/${got.info.etag}` } };
        };
      }
      return value.bind(target);
    },
  });
}

Deno.test("mirror (fake S3): weak ETag headers from a proxy do not make a multipart object download on every run", async () => {
  await using b = await fakeBackend({ multipartThreshold: 2048 });
  await using w = await tempDir();
  // Uploaded by vc in parts: a multipart ETag, the content's MD5 in vc-md5.
  const src = join(w.dir, "src");
  await writeTree(src, { "big.bin": "w".repeat(5000) });
  await settle();
  await mirror({
    sources: [src],
    target: b.store,
    targetPrefix: "down",
    statePath: join(w.dir, "up.db"),
    racyWindowMs: RACY_MS,
  });
  const store = weakening(b.store);
  const opts = {
    sources: [store],
    sourcePrefix: "down",
    target: join(w.dir, "out"),
    statePath: join(w.dir, "down.db"),
    racyWindowMs: RACY_MS,
  };
  const first = await mirror(opts);
  assertEquals(first.transferred, 1);
  await settle();
  for (let run = 0; run < 2; run++) {
    const again = await mirror(opts);
    assertEquals([again.transferred, again.unchanged], [0, 1], `run ${run + 2}`);
  }
});
