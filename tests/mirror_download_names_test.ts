/**
 * Store → local mirrors of keys whose names no local file can have: they are
 * reported before anything is fetched, so a run does not download them again
 * and again only to fail.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { fakeBackend, prefixToLocal, tempDir } from "./mirror_helpers.ts";

const enc = new TextEncoder();

Deno.test("mirror (fake S3 → local): a name over 255 bytes is reported without a GET", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const long = "L".repeat(256);
  await b.store.put(`p/${long}`, enc.encode("x".repeat(10_000)));
  await b.store.put(`p/d/${"é".repeat(128)}`, enc.encode("two-byte letters"));
  await b.store.put("p/ok.txt", enc.encode("ok"));
  await b.store.put(`p/${"M".repeat(255)}`, enc.encode("just fits"));
  const opts = prefixToLocal(b.store, w.dir);
  b.fake!.resetStats();
  const r = await mirror(opts);
  assertEquals(r.transferred, 2);
  assertEquals(r.failed.map((f) => f.key).sort(), [long, `d/${"é".repeat(128)}`].sort());
  for (const f of r.failed) assertStringIncludes(f.error, "longer than 255 bytes");
  assertEquals(b.fake!.stats.GetObject, 2);
  b.fake!.resetStats();
  const again = await mirror(opts);
  assertEquals([again.transferred, again.unchanged, again.failed.length], [0, 2, 2]);
  assertEquals(b.fake!.stats.GetObject, 0);
});

Deno.test("mirror (fake S3 → local) --delete keeps the file a key no file can have stands for (a//b.txt's a/b.txt, as aws s3 sync wrote it)", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  // Keys other tools write, which vc's stores refuse to.
  await b.fake!.putObject("mirror", "p/a//b.txt", "empty segment");
  await b.fake!.putObject("mirror", "p/e/./f", "dot segment");
  await b.fake!.putObject("mirror", "p/c/", "data in a folder marker");
  await b.store.put("p/ok.txt", enc.encode("ok"));
  // The files `aws s3 sync` makes of these keys, and one with no object at all.
  const out = join(w.dir, "out");
  for (const path of ["a/b.txt", "e/f", "c", "gone.txt"]) {
    await Deno.mkdir(join(out, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(out, path), "x");
  }
  const r = await mirror(prefixToLocal(b.store, w.dir, { delete: true }));
  assertEquals(r.failed.map((f) => f.key).sort(), ["a//b.txt", "c/", "e/./f"]);
  assertEquals(r.deletedKeys, ["gone.txt"]);
  assertEquals([r.deleted, r.extra], [1, 3]);
  for (const path of ["a/b.txt", "e/f", "c"]) {
    assertEquals(await Deno.readTextFile(join(out, path)), "x", path);
  }
});

Deno.test("mirror (fake S3 → local) --delete removes a stand-in file a real key needs as its directory (c of c/ and c/d)", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  await b.fake!.putObject("mirror", "p/c/", "data in a folder marker");
  await b.store.put("p/c/d", enc.encode("real"));
  await b.fake!.putObject("mirror", "p/a//b.txt", "empty segment");
  await b.store.put("p/a/b.txt/x", enc.encode("real too"));
  const out = join(w.dir, "out");
  await Deno.mkdir(join(out, "a"), { recursive: true });
  await Deno.writeTextFile(join(out, "c"), "x");
  await Deno.writeTextFile(join(out, "a", "b.txt"), "x");
  const r = await mirror(prefixToLocal(b.store, w.dir, { delete: true }));
  assertEquals(r.failed.map((f) => f.key).sort(), ["a//b.txt", "c/"]);
  assertEquals([...r.deletedKeys ?? []].sort(), ["a/b.txt", "c"]);
  assertEquals(await Deno.readTextFile(join(out, "c", "d")), "real");
  assertEquals(await Deno.readTextFile(join(out, "a", "b.txt", "x")), "real too");
});
