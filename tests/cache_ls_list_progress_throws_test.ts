/**
 * `AssetCache.ls`'s `onProgress` and the `onListProgress` of `prune` and
 * `verify` that throw rejected with the bare value thrown (as if the cache
 * could not be read); one whose promise rejects (an `async` callback) ended
 * the process with an unhandled rejection. Now each stops the call as an
 * abort does and rejects with a `CallbackError` naming the callback, its
 * `cause` what was thrown; the cache is left whole.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CallbackError } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";

type Call = "ls" | "ls checkRemote" | "prune" | "verify";
const CASES: [Call, "onProgress" | "onListProgress", "throws" | "rejects"][] = [
  ["ls", "onProgress", "throws"],
  ["ls", "onProgress", "rejects"],
  ["ls checkRemote", "onProgress", "throws"],
  ["ls checkRemote", "onProgress", "rejects"],
  ["prune", "onListProgress", "throws"],
  ["prune", "onListProgress", "rejects"],
  ["verify", "onListProgress", "throws"],
  ["verify", "onListProgress", "rejects"],
];

for (const [call, name, how] of CASES) {
  Deno.test(`AssetCache.${call}: an ${name} that ${how} rejects with a CallbackError`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-cache-list-progress-" });
    try {
      await using assets = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
      for (const n of ["a", "b", "c"]) {
        await Deno.writeTextFile(`${dir}/${n}.txt`, n);
        await assets.cache(`file://${dir}/${n}.txt`);
      }
      const boom = new Error(`${name} ${how}`);
      // Fails past the first call: at the listing's first record, or (ls
      // checkRemote) at the checking's start.
      let calls = 0;
      const callback = (p: unknown) => {
        if (call === "ls checkRemote" && (p as { step: string }).step !== "checking") return;
        if (call !== "ls checkRemote" && calls++ === 0) return;
        if (how === "throws") throw boom;
        return Promise.reject(boom);
      };
      const run = call === "prune"
        ? assets.prune({ maxBytes: 0, onListProgress: callback })
        : call === "verify"
        ? assets.verify({ onListProgress: callback })
        : assets.ls({ checkRemote: call === "ls checkRemote", onProgress: callback });
      const result = await run.then((ok) => ({ ok }), (error: unknown) => ({ error }));
      assert("error" in result, `resolved: ${JSON.stringify(result)}`);
      assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
      assertEquals(result.error.callback, name);
      assert(result.error.cause === boom, `cause: ${result.error.cause}`);
      // Whole: read again without the callback, each entry still there
      // (prune stopped in its listing removed none).
      assertEquals((await assets.ls()).length, 3);
      assertEquals((await assets.verify()).corrupt, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
