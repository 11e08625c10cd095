/**
 * `vc` says the library's options as its flags (`withFlagNames`), by
 * rewriting the library's words in a message. A name of the user's that
 * holds the same words (a directory `x the cacheDir option y`, a key quoted
 * in the message, a bucket's key in a suggested command) was rewritten too:
 * `vc cache get --cache-dir "/w/x the cacheDir option y/f"` said the cache
 * dir was `/w/x --cache-dir y/f`. Only the message's own words change now.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withFlagNames } from "../src/cli/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("withFlagNames: a path with an option's words among spaces is left as it is", () => {
  // A directory of the user's named like the library's words: the message
  // names it as it is on disk, and only vc's own advice becomes the flag.
  for (const file of ["/w/x the cacheDir option y/f", "/data/the cacheDir option/c"]) {
    assertEquals(
      withFlagNames(
        `the cache dir ${file} is not a directory (it is a file); set the cacheDir option or ` +
          "VC_CACHE_DIR to a directory",
      ),
      `the cache dir ${file} is not a directory (it is a file); set --cache-dir or ` +
        "VC_CACHE_DIR to a directory",
    );
  }
  assertEquals(
    withFlagNames(`C:\\data\\the lock option x\\l.json is empty (the lock option)`),
    `C:\\data\\the lock option x\\l.json is empty (--lock)`,
  );
});

Deno.test("withFlagNames: a quoted key or command holding an option's words is left as it is", () => {
  const key = JSON.stringify("my the bucket option key");
  assertEquals(
    withFlagNames(`no object ${key} in b (check the bucket option)`),
    `no object ${key} in b (check --bucket, VC_BUCKET or a project file's "bucket" (vc config shows which))`,
  );
  assertEquals(
    withFlagNames(
      "remove it with `vc cache rm 's3://b/x the version option 2'` (the force option)",
    ),
    "remove it with `vc cache rm 's3://b/x the version option 2'` (--force)",
  );
});

Deno.test("withFlagNames: a second path in the clause does not hide the words before it", () => {
  assertEquals(
    withFlagNames("source /d/src is not inside the sourcePrefix option /d/elsewhere"),
    "source /d/src is not inside --source-prefix /d/elsewhere",
  );
  assertEquals(
    withFlagNames("the cache dir /d/c is full: set the cacheDir option / VC_CACHE_DIR"),
    "the cache dir /d/c is full: set --cache-dir / VC_CACHE_DIR",
  );
});

Deno.test("vc cache get with a --cache-dir named with an option's words: named as given", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "a");
  const file = await ws.write("x the cacheDir option y/f", "x");
  const r = await ws.run(["cache", "get", `${ws.bucket}/a.txt`, "--cache-dir", file]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `the cache dir ${file} is not a directory`);
  assertStringIncludes(r.stderr, "set --cache-dir or VC_CACHE_DIR");
});
