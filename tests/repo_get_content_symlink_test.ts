/**
 * `repo get` of a record whose content object in a `file://` store was
 * replaced by a symbolic link (to a file outside the store): `vc repo check`
 * said the content is missing (the store's HEAD and listing see no object
 * at a link), but the get read through the link, the file it leads to, and
 * named that file's MD5 in its error (of any file the user running vc may
 * read, `/etc/shadow` for root), or handed its bytes out when they matched.
 * The get now reads the content as the store has it, as the check does: a
 * link is no object, and the record is said to be missing its content.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { NotFoundError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test({
  name: "repo get of a record whose content is a symbolic link says it is missing, as check does",
  ignore: Deno.build.os === "windows", // symbolic links need privileges on Windows
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_get_content_symlink_" });
    try {
      await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
      const repoDir = join(dir, "repo");
      await using repo = await Repository.init(pathToFileURL(repoDir).href, { cache });
      const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
      const outside = join(dir, "secret.txt");
      const secret = new TextEncoder().encode("a secret outside the store");
      await Deno.writeFile(outside, secret);
      await Deno.remove(join(repoDir, r.contentKey));
      await Deno.symlink(outside, join(repoDir, r.contentKey));

      assertEquals((await repo.check()).problems.map((p) => [p.id, p.problem]), [
        [r.id, "missing"],
      ]);
      const e = await assertRejects(() => repo.download(r.id), NotFoundError);
      assertStringIncludes(e.message, `record ${r.id} (unpublished /data/a.txt)`);
      assertStringIncludes(e.message, r.contentKey);
      assertStringIncludes(e.message, "is missing from the store");
      assert(!e.message.includes(md5Hex(secret)), e.message);

      // Put back: read again.
      await Deno.remove(join(repoDir, r.contentKey));
      await Deno.writeTextFile(join(repoDir, r.contentKey), "first");
      assertEquals(await Deno.readTextFile(await repo.download(r.id)), "first");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
