/**
 * `repo get` of a record whose content was replaced behind vc's back (an
 * `aws s3 cp` over its key): the error said only `record 3: downloaded MD5
 * …, recorded …`, naming neither the record's path nor the object, nor what
 * to do, where a deleted one names all three. It now names the record, its
 * path and its content, says the content differs from what was recorded,
 * and points at `vc repo check`, which lists it; the copy downloaded is not
 * kept, so a get once the content is put back reads it again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo get of a record whose content was replaced names the record and its content", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_get_changed_" });
  try {
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const repoDir = join(dir, "repo");
    await using repo = await Repository.init(pathToFileURL(repoDir).href, { cache });
    const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
    // Same size, other bytes, written behind vc's back.
    await Deno.writeTextFile(join(repoDir, r.contentKey), "other");
    const e = await assertRejects(() => repo.download(r.id), IntegrityError);
    assertStringIncludes(e.message, `record ${r.id} (unpublished /data/a.txt)`);
    assertStringIncludes(e.message, r.contentKey);
    assertStringIncludes(e.message, `not the recorded ${r.md5}`);
    assertStringIncludes(e.message, "the Repository's `check()`");
    assertEquals((await repo.check()).problems.map((p) => [p.id, p.problem]), [
      [r.id, "md5 mismatch"],
    ]);

    // Put back: read again, not the copy that failed.
    await Deno.writeTextFile(join(repoDir, r.contentKey), "first");
    assertEquals(await Deno.readTextFile(await repo.download(r.id)), "first");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
