/**
 * A partial that an earlier run left (to be resumed, or by a holder that
 * died) is committed as the cached copy: it must take the mode the source
 * has now. A `file://` source made private (0600) since the partial was
 * created gave a copy readable by all.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { md5Hex } from "../src/hash.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

Deno.test({
  name: "a resumed partial takes the restrictive mode its file:// source has now",
  ignore: Deno.build.os === "windows", // no POSIX modes
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-resume-mode-" });
    try {
      const source = join(dir, "big.bin");
      const data = randomBytes(SIZE, 14);
      await Deno.writeFile(source, data);
      await Deno.chmod(source, 0o644);
      const cacheDir = join(dir, "cache");
      const make = () =>
        new AssetCache({
          cacheDir,
          configPath: false,
          env: {},
          warn: () => {},
          download: { parallelThreshold: MiB, partSize: MiB, concurrency: 1 },
        });
      const uri = pathToFileURL(source).href;
      const stop = new AbortController();
      {
        await using first = make();
        await assertRejects(() =>
          first.cache(uri, {
            signal: stop.signal,
            // Ctrl-C once half of it is in.
            onProgress: (p) => void (p.bytes >= SIZE / 2 && stop.abort()),
          })
        );
      }
      const kept = await tempFiles(cacheDir);
      assert(kept.some((p) => p.endsWith("-resume")), `a partial kept: ${kept}`);
      // Made private meanwhile (same content, so the partial still resumes).
      await Deno.chmod(source, 0o600);
      await using next = make();
      const path = await next.cache(uri);
      assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
      assertEquals(((await Deno.stat(path)).mode ?? 0) & 0o777, 0o600);
      assertEquals(await tempFiles(cacheDir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
