/**
 * S3 allows keys "a" and "a/b" in one bucket; a filesystem cannot hold a
 * file and a directory at one path. When another process (here another
 * `AssetCache` on the same cache dir) caches `a/b` while this one downloads
 * `a`, this one's download cannot be put in place: it is refused with the
 * message a later call gives before its GET (the directory named, as the
 * copies of keys below), not the system's rename error naming a temp file,
 * and nothing is left behind; `a/b` stays cached and intact.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

// Names under `dir` (recursively) of the cache's temp files and holder notes.
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (e.name.includes(".vc-tmp-")) found.push(`${d}/${e.name}`);
      if (e.isDirectory) walk(`${d}/${e.name}`);
    }
  };
  walk(dir);
  return found;
}

Deno.test("a key whose path another process fills with a key below it during its download: refused with the clash message", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "a", "file");
    await s3.putObject("b", "a/b", "below");
    const gate = Promise.withResolvers<void>();
    s3.setFaults({ hold: gate.promise, match: ({ op, key }) => op === "GetObject" && key === "a" });
    const first = make();
    const other = make();
    const top = first.localPath("s3://b/a").replace(/\/a$/, "");
    const pending = first.cache("s3://b/a");
    pending.catch(() => {}); // awaited below
    try {
      // The download of `a` has its temp file (its lock) and waits for its GET.
      for (let i = 0; i < 2000 && leftovers(dir).length === 0; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assertEquals(leftovers(dir), [`${top}/.a.vc-tmp-0-shared`]);
      // Another process caches the key below meanwhile.
      assertEquals(await Deno.readTextFile(await other.cache("s3://b/a/b")), "below");
    } finally {
      gate.resolve();
    }
    const e = await pending.then(() => undefined, (e) => e);
    assert(e instanceof InvalidInputError, String(e));
    assertStringIncludes(e.message, "cannot cache s3://b/a ");
    assertStringIncludes(e.message, "taken by a directory or a file of another key");
    assertStringIncludes(e.message, `${top}/a is a directory, of the copies of keys below`);
    assert(!/os error|EISDIR|rename |vc-tmp/.test(e.message), e.message);
    assertEquals(leftovers(dir), []);
    assertEquals(await Deno.readTextFile(`${top}/a/b`), "below");
    // A later call says the same, before its GET.
    const gets = s3.stats.GetObject;
    const again = await first.cache("s3://b/a").then(() => undefined, (e) => e);
    assert(again instanceof InvalidInputError, String(again));
    assertStringIncludes(again.message, `${top}/a is a directory, of the copies of keys below`);
    assertEquals(s3.stats.GetObject, gets);
  });
});
