/**
 * `vc mirror s3://b/p ...` where the bucket holds `p/` itself: the folder
 * marker the S3 console's "Create folder" writes. A store opened at the
 * prefix lists it as the empty key; it is a folder marker like any other,
 * not a file that failed (every run exited 1) nor an object `--delete`
 * tries to remove (which failed as "empty key").
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { fakeBackend, RACY_MS, tempDir } from "./mirror_helpers.ts";

const enc = new TextEncoder();

function prefixed(url: string, prefix: string): S3Store {
  return new S3Store({
    bucket: "mirror",
    prefix,
    endpoint: url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

Deno.test("mirror (fake S3): the folder marker of the mirrored prefix itself is skipped both ways", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  await b.store.put("p/", new Uint8Array());
  await b.store.put("p/ok.txt", enc.encode("ok"));
  await using store = {
    s: prefixed(b.fake!.url, "p"),
    [Symbol.asyncDispose]: () => store.s.close(),
  };
  const out = join(w.dir, "out");
  const down = await mirror({
    sources: [store.s],
    target: out,
    delete: true,
    statePath: join(w.dir, "down.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals(down.failed, []);
  assertEquals(down.transferred, 1);
  assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["ok.txt"]);
  for (const del of [false, true]) {
    const up = await mirror({
      sources: [out],
      target: store.s,
      delete: del,
      statePath: join(w.dir, "up.db"),
      racyWindowMs: RACY_MS,
    });
    assertEquals(up.failed, []);
    assertEquals([up.deleted, up.extra, up.unchanged], [0, 0, 1]);
  }
  assertEquals((await b.store.get("p/")).info.size, 0);
});

Deno.test("mirror (fake S3): the mirrored prefix's own directory object with data is reported by its URI", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  await b.store.put("p/", enc.encode("data"));
  await b.store.put("p/ok.txt", enc.encode("ok"));
  await using store = {
    s: prefixed(b.fake!.url, "p"),
    [Symbol.asyncDispose]: () => store.s.close(),
  };
  const r = await mirror({
    sources: [store.s],
    target: join(w.dir, "out"),
    statePath: join(w.dir, "down.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals(r.transferred, 1);
  assertEquals(r.failed.map((f) => f.path), [`${store.s.url}/`]);
  assertStringIncludes(r.failed[0]!.error, "names a directory");
});
