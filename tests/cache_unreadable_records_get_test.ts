/**
 * `vc cache get` in a cache dir shared by several users, by one who may not
 * read a directory's record journal (another user's, mode 600): the lookup
 * took it for a miss, downloaded, replaced the copy cached there, failed to
 * record its own and removed it, so the copy the journal's owner had
 * recorded was gone. The lookup now fails first, naming the journal, and
 * the copy stays.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { asNobody, cachedByRoot, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "cache get: records this user may not read fail the lookup; the copy stays " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-unreadable-records-" });
    try {
      const { cacheDir, uri, path } = await cachedByRoot(dir);
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", dir] }).output();
      const journal = recordPathsOf(cacheDir, path).journalPath;
      await Deno.chmod(journal, 0o600);
      const inode = (await Deno.lstat(path)).ino;
      const out = await asNobody(dir, { vc: ["cache", "get", uri, "--cache-dir", cacheDir] });
      const stderr = out.stderr;
      assertEquals(out.code, 1, stderr);
      assertStringIncludes(stderr, `cannot read the records in ${journal}`);
      // The recorded copy is the one it was.
      assertEquals((await Deno.lstat(path)).ino, inode);
      assert((await Deno.readTextFile(path)) === "a\n");
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
