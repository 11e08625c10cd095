/**
 * Leftovers with modification times in the future (a cache restored from a
 * machine whose clock ran ahead, or a clock set back since they were
 * written) were never swept by `vc cache prune` / `verify`: a dead
 * download's temp file is told dead by its pid only where `/proc` may be read
 * (not by the `vc` binary: Deno asks `--allow-all` for it), else by being
 * unlocked and older than a few seconds, and a data file without a record by
 * being untouched for 10 minutes; a time days ahead was neither, until the
 * clock caught up. Run as the `vc` binary runs, with its permissions.
 */
import { assert, assertEquals } from "./assert.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exists } from "./path_exists.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const DAYS_AHEAD = new Date(Date.now() + 3 * 24 * 3600_000);

async function prune(cacheDir: string, home: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, CLI, "cache", "prune", "--max-size", "10GB", "--json"],
    env: { HOME: home, VC_CACHE_DIR: cacheDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(stdout);
}

Deno.test("prune sweeps a dead download's temp file and an orphan dated days ahead", {
  // The writer's lock below is advisory (flock); Windows' locks are mandatory.
  ignore: Deno.build.os === "windows",
}, async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-sweep-future-" }));
  try {
    const cacheDir = join(root, "cache");
    const dataDir = join(cacheDir, "s3", "b");
    await Deno.mkdir(dataDir, { recursive: true });
    const deadTemp = join(dataDir, ".y.bin.vc-tmp-4000001-abcdefgh");
    const orphan = join(dataDir, "x.bin");
    // A live writer's temp file (it holds the lock): never swept, whatever its time.
    const liveTemp = join(dataDir, ".z.bin.vc-tmp-4000002-abcdefgh");
    // A large download's kept partial and its resume note, dated ahead:
    // `--max-size` drops every kept partial not being downloaded.
    const partial = join(dataDir, ".w.bin.vc-tmp-0-shared");
    const note = join(dataDir, ".w.bin.vc-tmp-0-resume");
    for (const p of [deadTemp, orphan, liveTemp, partial, note]) {
      await Deno.writeTextFile(p, "leftover bytes");
      await Deno.utime(p, DAYS_AHEAD, DAYS_AHEAD);
    }
    using live = await Deno.open(liveTemp, { read: true, write: true });
    await live.lock(true);
    const result = await prune(cacheDir, join(root, "home"));
    assertEquals(result.orphans, [orphan]);
    assertEquals(await exists(orphan), false, "the orphan dated ahead stays");
    assertEquals(await exists(deadTemp), false, "the dead download's temp file dated ahead stays");
    assertEquals(await exists(partial), false, "the kept partial dated ahead stays");
    assertEquals(await exists(note), false, "the resume note dated ahead stays");
    assert(await exists(liveTemp), "a live writer's temp file was removed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
