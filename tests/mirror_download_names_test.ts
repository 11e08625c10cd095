/**
 * Store → local mirrors of keys whose names no local file can have: they are
 * reported before anything is fetched, so a run does not download them again
 * and again only to fail.
 */
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
