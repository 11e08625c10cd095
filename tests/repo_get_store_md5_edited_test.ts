/**
 * `repo get` of a record whose content object's stated MD5 was edited in the
 * store behind vc's back (its `vc-md5` metadata or checksum, what `aws s3 cp
 * --metadata-directive REPLACE` or a tool's sidecar writes): the download's
 * own ETag check failed with an error about a cache entry,
 * `file:///…/content/…: content does not match its ETag …`, naming neither
 * the record nor its path, and not saying that the catalog's recorded MD5
 * and the store's disagree. It now names the record, its path and its
 * content object, as a get of content missing or changed does, and points at
 * `vc repo check`; nothing is cached.
 */
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { readSidecar, writeSidecar } from "../src/store/fs_meta.ts";
import { sidecarName } from "../src/store/fs_layout.ts";

Deno.test("repo get of a record whose stored MD5 was edited names the record and its content", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_get_store_md5_edited_" });
  try {
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const repoDir = join(dir, "repo");
    await using repo = await Repository.init(pathToFileURL(repoDir).href, { cache });
    const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
    const file = join(repoDir, r.contentKey);
    const scPath = join(dirname(file), sidecarName(file.slice(dirname(file).length + 1)));
    const sc = await readSidecar(scPath);
    if (sc === undefined) throw new Error(`no sidecar at ${scPath}`);
    const forged = "0".repeat(32);
    writeSidecar(scPath, { ...sc, md5: forged, metadata: { "vc-md5": forged } });

    const e = await assertRejects(() => repo.download(r.id), IntegrityError);
    assertStringIncludes(e.message, `record ${r.id} (unpublished /data/a.txt)`);
    assertStringIncludes(e.message, r.contentKey);
    assertStringIncludes(e.message, `MD5 recorded ${r.md5}`);
    assertStringIncludes(e.message, forged);
    assertStringIncludes(e.message, "the Repository's `check()`");
    assertEquals((await repo.check()).problems.map((p) => [p.id, p.problem]), [
      [r.id, "md5 mismatch"],
    ]);
    assertEquals((await cache.ls()).length, 0);

    // The store's MD5 put back: the get reads it again.
    writeSidecar(scPath, sc);
    assertEquals(await Deno.readTextFile(await repo.download(r.id)), "first");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
