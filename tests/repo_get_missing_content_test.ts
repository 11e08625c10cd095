/**
 * `repo get` of a record whose content was deleted behind vc's back (`aws s3
 * rm`): the error named only a cache entry (`s3://…/content/71/….bin does
 * not exist in the store (it would be cached at /home/…/.cache/vc/…)`), not
 * the record asked for, nor what to do. It now names the record, its path
 * and its content, and points at `vc repo check`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo get of a record whose content is missing names the record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_get_missing_" });
  try {
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href, { cache });
    const r = await repo.add("/data/zero.bin", new Uint8Array(0));
    await repo.store.delete([r.contentKey]);
    const e = await assertRejects(() => repo.download(r.id), NotFoundError);
    assertStringIncludes(e.message, `record ${r.id} (unpublished /data/zero.bin)`);
    assertStringIncludes(e.message, r.contentKey);
    assertStringIncludes(e.message, "the Repository's `check()`");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
