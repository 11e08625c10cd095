/**
 * `vc repo check` of a large repository: its bar counted the records, then
 * sat at 100% while the store's content was listed for orphans (one LIST a
 * thousand objects on S3: minutes for millions), as if hung. The listing now
 * has its own count (`onListed`), drawn as a step of the bar.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo check: the listing of the store's content is counted after the records", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_listed_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    for (const name of ["a", "b", "c"]) {
      await repo.add(`/${name}.txt`, new TextEncoder().encode(name));
    }
    await repo.store.put("content/stray.bin", new Uint8Array([1]));
    const seen: string[] = [];
    const report = await repo.check({
      onProgress: (done, total) => seen.push(`records ${done}/${total}`),
      onListed: (listed) => seen.push(`listed ${listed}`),
    });
    assertEquals(report.records, 3);
    assertEquals(seen, [
      "records 1/3",
      "records 2/3",
      "records 3/3",
      "listed 0",
      "listed 1",
      "listed 2",
      "listed 3",
      "listed 4",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
