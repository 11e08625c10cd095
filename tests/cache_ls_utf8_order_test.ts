/**
 * `cache.ls()` and `vc cache ls` list entries in URI order as S3 lists keys
 * (UTF-8 bytes), the order of every other listing of vc. They were sorted
 * by UTF-16 code units, which put a key with an emoji (a surrogate pair)
 * before one with a character from U+E000 up (`Ａ`, U+FF21), unlike the
 * bucket's own listing of the same keys.
 */
import { compareUtf8 } from "../src/utf8.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("cache ls: entries in URI order by UTF-8 bytes, as S3 lists keys", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const keys = ["b.txt", "a\u{1F600}.txt", "a\uFF21.txt", "a.txt"];
    for (const key of keys) {
      await s3.putObject("b", key, key);
      await cache.cache(`s3://b/${key}`);
    }
    const uris = keys.map((k) => `s3://b/${k}`);
    const listed = (await cache.ls()).map((e) => e.uri);
    assertEquals(listed, [...uris].sort(compareUtf8));
    // The premise: UTF-16 order differs here.
    assertEquals([...uris].sort().join("\n") === listed.join("\n"), false);
  });
});
