/**
 * `Repository.download` reads the content from the repository's own store:
 * a repository opened with `openStore` (a custom endpoint, credentials or
 * backend) and no `cache` must not download through a cache that opens the
 * default AWS endpoint with the default credential chain.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo download goes through the repository's openStore", async () => {
  await using s3 = await startFakeS3({ buckets: ["download-repo"] });
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_download_store_" });
  const home = Deno.env.get("VC_CACHE_DIR");
  Deno.env.set("VC_CACHE_DIR", join(dir, "cache"));
  try {
    const store = testS3Options(s3, {
      maxAttempts: 1,
      credentials: { accessKeyId: "only-this-endpoint", secretAccessKey: "x" },
    });
    await using repo = await Repository.init("s3://download-repo/r", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u) => openStore(u, store),
    });
    const record = await repo.add("/a.csv", new TextEncoder().encode("a,b\n"));
    s3.resetStats();
    const local = await repo.download(record.id);
    assertEquals(await Deno.readTextFile(local), "a,b\n");
    assertEquals(s3.stats.GetObject + s3.stats.HeadObject > 0, true, "read from this server");
  } finally {
    if (home === undefined) Deno.env.delete("VC_CACHE_DIR");
    else Deno.env.set("VC_CACHE_DIR", home);
    await Deno.remove(dir, { recursive: true });
  }
});
