// Two spellings of one object in a list (`S3://b/k` and `s3://b/k`, or
// `file://localhost/x`, `file:///x` and `file:////x`) are one item: one
// download, counted once, its bytes once, as `/a.csv` and `/a.csv@1.0.0` are.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { cacheOverOneObject, workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("prefill: file:// spellings of one file are one item", async () => {
  await using ws = await workspace();
  const path = await writeFile(join(ws.dir, "src"), "a.bin", "12345");
  const href = pathToFileURL(path).href; // file:///…/src/a.bin
  const summary = await prefill({
    cache: ws.cache,
    uris: [
      href,
      href.replace("file:///", "file://localhost/"),
      href.replace("/src/", "//src/"),
      href.replace("/src/", "/src/./"),
      href.replace("file:", "FILE:"),
    ],
  });
  assertEquals(summary.failed, []);
  assertEquals(
    { total: summary.total, fetched: summary.fetched, bytes: summary.bytes },
    { total: 1, fetched: 1, bytes: 5 },
  );
});

Deno.test("prefill: s3:// and S3:// of one object are one item", async () => {
  await using one = await cacheOverOneObject("spell", "k/a.bin", "abcdef");
  const { fake, cache } = one;
  const summary = await prefill({
    cache,
    uris: ["s3://spell/k/a.bin", "S3://spell/k/a.bin", "s3://spell/k/a.bin"],
  });
  assertEquals(summary.failed, []);
  assertEquals(
    { total: summary.total, fetched: summary.fetched, bytes: summary.bytes },
    { total: 1, fetched: 1, bytes: 6 },
  );
  assertEquals(fake.stats.GetObject, 1);
});
