/**
 * A miss of a key the store holds in the other Unicode spelling (`café`
 * typed precomposed, NFC; the object uploaded from a macOS file name,
 * decomposed, NFD): the two print alike in `aws s3 ls` and in the error, so
 * a bare "does not exist" read as wrong. The miss names the spelling the
 * store has; a plain miss stays as it was.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

const nfc = "dir/caf\u00e9 cr\u00e8me.csv";
const nfd = "dir/cafe\u0301 cre\u0300me.csv";

Deno.test("a miss of a key held in the other Unicode spelling names that spelling", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", nfd, "a,b\n");
    await s3.putObject("b", "plain.txt", "x");
    const cache = make();
    const e = await assertRejects(() => cache.cache(`s3://b/${nfc}`), NotFoundError);
    assertStringIncludes(e.message, "does not exist in the store");
    assertStringIncludes(e.message, "s3://b/dir/cafe\\u0301 cre\\u0300me.csv");
    assertStringIncludes(e.message, "Unicode NFC vs NFD");
    // The other way round too: the store holds the NFC spelling.
    await s3.putObject("b", "other/\u00fc.txt", "u");
    const back = await assertRejects(() => cache.cache("s3://b/other/u\u0308.txt"), NotFoundError);
    assertStringIncludes(back.message, "s3://b/other/\\u00fc.txt");
    // The spelling it names is the one that works.
    assertEquals(await Deno.readTextFile(await cache.cache(`s3://b/${nfd}`)), "a,b\n");
  });
});

Deno.test("a miss with no other spelling in the store says only that it is missing", async () => {
  await withS3Cache(async (_s3, make) => {
    const cache = make();
    for (const uri of [`s3://b/${nfc}`, "s3://b/ascii-only.txt"]) {
      const e = await assertRejects(() => cache.cache(uri), NotFoundError);
      assertStringIncludes(e.message, "does not exist in the store");
      assertEquals(e.message.includes("Unicode"), false, e.message);
    }
  });
});
