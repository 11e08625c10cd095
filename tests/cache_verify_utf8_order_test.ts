/**
 * `cache.verify()` names the copies it repaired in the order `cache.ls()`
 * lists them, as S3 lists keys (UTF-8 bytes). Its lists were sorted by
 * UTF-16 code units, which put a key with an emoji (a surrogate pair) before
 * one with a character from U+E000 up (`Ａ`, U+FF21).
 */
import { compareUtf8 } from "../src/utf8.ts";
import { assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("cache verify: the copies it names are in key order by UTF-8 bytes, as cache ls lists them", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const keys = ["a\u{1F600}.txt", "a\uFF21.txt"];
    const locals: string[] = [];
    for (const key of keys) {
      await s3.putObject("b", key, key);
      locals.push(await cache.cache(`s3://b/${key}`));
    }
    // Intact, with a new modification time (a cache copied without its times).
    const later = new Date(Date.now() + 3_600_000);
    for (const local of locals) await Deno.utime(local, later, later);
    const { retimed } = await cache.verify();
    assertEquals(retimed, [...locals].sort(compareUtf8));
    // The premise: UTF-16 order differs here.
    assertEquals([...locals].sort().join("\n") === retimed?.join("\n"), false);
  });
});
