/**
 * A repository setup killed mid-way, for the crash tests of `vc repo init`
 * and `vc repo restore`: the call runs in a child process that dies (exit
 * 137, as kill -9) when it writes the store's marker, after its catalog
 * committed.
 *
 * @module
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";

/**
 * Runs `Repository[method](...args, { catalog, openStore })` in a child that
 * dies when it writes `.vc-repo.json`; asserts it died so.
 */
export async function killedBeforeMarker(
  method: "init" | "restore",
  args: readonly string[],
  catalog: string,
): Promise<void> {
  const repoMod = new URL("../src/repo/mod.ts", import.meta.url).href;
  const storeMod = new URL("../src/store/open.ts", import.meta.url).href;
  const script = `
    import { Repository } from ${JSON.stringify(repoMod)};
    import { openStore } from ${JSON.stringify(storeMod)};
    await Repository.${method}(${args.map((a) => JSON.stringify(a)).join(", ")}, {
      catalog: ${JSON.stringify(catalog)},
      openStore: async (u) => {
        const store = await openStore(u);
        const put = store.put.bind(store);
        store.put = (key, body, opts) => {
          if (key === ".vc-repo.json") Deno.exit(137);
          return put(key, body, opts);
        };
        return store;
      },
    });`;
  await runKilledChild(script);
}

/**
 * Runs `script` in a `deno eval` child that must die with exit 137 (as kill
 * -9) and asserts it did. The child cannot clean up, so it runs with a TMPDIR
 * of its own (a restore spools its snapshot there), removed afterwards.
 */
export async function runKilledChild(script: string): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "vc_killed_child_tmp_" });
  try {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      env: { TMPDIR: tmp },
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(code, 137);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/**
 * Runs `vc.sync(out, SYNC_OPTIONS)` of the versioned workspace `ws` (its
 * manifest, bucket and cache) in a child that must die with exit 137, as
 * {@linkcode runKilledChild}: `syncOptions` (source text of the options, or
 * none) or `setup` (source text run before the cache is opened, such as a
 * patched `Deno.renameSync`) is what kills it.
 */
export async function runKilledSync(
  ws: { dir: string; manifest: string; bucket: string },
  out: string,
  { setup = "", syncOptions }: { setup?: string; syncOptions?: string } = {},
): Promise<void> {
  const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  const options = syncOptions === undefined ? "" : `, ${syncOptions}`;
  await runKilledChild(`
    import { VersionedCache } from ${mod("../src/versioned/mod.ts")};
    import { AssetCache } from ${mod("../src/cache/asset_cache.ts")};${setup}
    const cache = new AssetCache({ cacheDir: ${
    JSON.stringify(join(ws.dir, "cache"))
  }, configPath: false });
    const vc = new VersionedCache({ manifest: ${JSON.stringify(ws.manifest)}, bucket: ${
    JSON.stringify(ws.bucket)
  }, cache });
    await vc.sync(${JSON.stringify(out)}${options});`);
}
