/**
 * A repository setup killed mid-way, for the crash tests of `vc repo init`
 * and `vc repo restore`: the call runs in a child process that dies (exit
 * 137, as kill -9) when it writes the store's marker, after its catalog
 * committed.
 *
 * @module
 */
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
