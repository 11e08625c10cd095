/**
 * `vc repo get` of a record that another process purges (`purge`, `gc`)
 * while the download starts: its content is gone, and the error says the
 * record was purged, not that the content is missing behind vc's back
 * (which points at damage and at `vc repo check`, which finds none).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { RecordStateError } from "../src/repo/records.ts";
import { assertRejects } from "./assert.ts";

Deno.test("repo: a download beside a purge of its record says it was purged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_download_purge_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
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
