/**
 * `versions` and `lsRemote` given a signal already aborted reject with its
 * reason, as every long call does, before looking at the bucket: a bucket
 * directory that does not exist was reported instead.
 */
import { AssetCache } from "../mod.ts";
import { VersionedCache } from "../src/versioned/mod.ts";
import { assert, assertRejects } from "./assert.ts";

Deno.test("versioned: versions / lsRemote with a signal already aborted reject with its reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_versions_aborted_" });
  try {
    await Deno.writeTextFile(`${dir}/versioned_assets.json`, "{}");
    const vc = new VersionedCache({
      manifest: `${dir}/versioned_assets.json`,
      bucket: `file://${dir}/no-such-bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
    });
    const stop = new AbortController();
    const reason = new Error("stopped by the caller");
    stop.abort(reason);
    for (
      const call of [
        () => vc.versions("/a.csv", { signal: stop.signal }),
        () => vc.lsRemote({ signal: stop.signal }),
      ]
    ) {
      const error = await assertRejects(call);
      assert(error === reason, `rejected with ${error}, not the signal's reason`);
    }
    await vc.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
