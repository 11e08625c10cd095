/**
 * `vc repo get` of a record that another process purges (`purge`, `gc`)
 * while the download starts: its content is gone, and the error says the
 * record was purged, not that the content is missing behind vc's back
 * (which points at damage and at `vc repo check`, which finds none).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { RecordStateError } from "../src/repo/records.ts";
import { assertRejects } from "./assert.ts";

Deno.test("repo: a download beside a purge of its record says it was purged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_download_purge_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    // Its download goes to the test's own cache, not the user's ~/.cache/vc.
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using repo = await Repository.init(uri, { cache });
    await using other = await Repository.open(uri);
    const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
    const get = repo.get.bind(repo);
    let raced = false;
    // Once the download has read the record, another process purges it.
    repo.get = async (id) => {
      const record = await get(id);
      if (!raced) {
        raced = true;
        await other.purge(r.id);
      }
      return record;
    };
    await assertRejects(() => repo.download(r.id), RecordStateError, "was purged while");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
