/**
 * S3 allows keys "a" and "a/b" in one bucket; a filesystem cannot hold a
 * file and a directory at one path. When another process puts its copy of
 * `a` in place between this one's check of `a/b`'s path and the opening of
 * its temp file there, `a/b` is refused with vc's own message naming the
 * file in the way, as when that file was there from the start, not with the
 * system's "Not a directory" naming the temp file; nothing is left behind.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a key below a name another process cached as a file during its start: refused naming the file in the way", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "a/b", "below");
    const cache = make();
    const top = cache.localPath("s3://b/a").replace(/\/a$/, "");
    // The other process's rename lands right before this one's first
    // open of a file in `a/` (its check of the path is done by then).
    const openSync = Deno.openSync;
    let raced = false;
    Deno.openSync = (path: string | URL, options?: Deno.OpenOptions) => {
      if (!raced && String(path).startsWith(`${top}/a/`)) {
        raced = true;
        Deno.mkdirSync(top, { recursive: true });
        Deno.writeTextFileSync(`${top}/a`, "file");
      }
      return openSync(path, options);
    };
    let e: unknown;
    try {
      e = await cache.cache("s3://b/a/b").then(() => undefined, (e) => e);
    } finally {
      Deno.openSync = openSync;
    }
    assert(raced, "the open in a/ was reached");
    assert(e instanceof InvalidInputError, String(e));
    assertStringIncludes(e.message, "cannot cache s3://b/a/b ");
    assertStringIncludes(e.message, "taken by a directory or a file of another key");
    assertStringIncludes(e.message, `${top}/a is a file, so ${top}/a/b cannot be made`);
    assert(!/os error|ENOTDIR|vc-tmp/.test(e.message), e.message);
    assertEquals([...Deno.readDirSync(top)].map((d) => d.name), ["a"]);
    assertEquals(s3.stats.GetObject, 0);
  });
});
