/**
 * A refresh that cannot write its new version into a read-only cache dir (a
 * CI cache restored read-only, the object changed upstream) says, as one
 * that finds the disk full does, that the copy cached before is kept and
 * that offline mode serves it: a script stopped by the error otherwise took
 * that copy for lost. The copy is then served offline, as it was.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";

const canMountReadOnly = await probeReadOnlyMount();

Deno.test({
  name: "a refresh into a read-only cache dir names the copy kept and offline mode " +
    "(ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  async fn() {
    await withS3Cache(async (s3, make, dir) => {
      await s3.putObject("b", "d/x.txt", "old");
      const path = await make({ timeout: 0 }).cache("s3://b/d/x.txt");
      const { etag } = s3.headObject("b", "d/x.txt")!;
      await s3.putObject("b", "d/x.txt", "new!");
      const mounted = await readOnlyMount(dir, async () => {
        const e = await make({ timeout: 0 }).cache("s3://b/d/x.txt").then(
          () => undefined,
          (e) => e,
        );
        assert(e instanceof Error, String(e));
        assertStringIncludes(e.message, "read-only file system");
        assertStringIncludes(
          e.message,
          `the copy cached before (ETag ${
            etag.replaceAll('"', "")
          }) is kept and offline mode serves it`,
        );
        assertEquals(await make({ offline: true }).cache("s3://b/d/x.txt"), path);
        assertEquals(await Deno.readTextFile(path), "old");
      });
      assert(mounted, "read-only bind mount");
    });
  },
});
