/**
 * A CI cache restored by `actions/cache` (tar) gives every copy the restore
 * time as its access time, which is vc's last use. A prefill seconds later
 * took that for a use of its own within the minute and did not mark the
 * copies it used: the copies the job used and those it did not had the same
 * last use, so no `vc cache prune` could tell them apart, and the CI cache
 * grew with every version a manifest ever pinned. A process now marks the
 * first use of each copy whose last use is from before it started when the
 * copy's directory changed since (tar sets a directory's times after its
 * files', which moves its change time; another process's mark does not),
 * and the README's recipe (prune what was not used since the prefill began) removes
 * only the copies the job did not use.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import { childEnv, ok, withWorkspace } from "./cli_process.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { shellWord } from "../src/shell_word.ts";
import { assert, assertEquals } from "./assert.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** The data files of the cache (not its records), by name. */
async function copies(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for await (const e of Deno.readDir(at)) {
      if (e.name === ".meta") continue;
      const path = join(at, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile) found.set(e.name, path);
    }
  };
  await walk(dir);
  return found;
}

/** The directories of the cache, its own included, deepest first. */
async function directories(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for await (const e of Deno.readDir(at)) {
      if (e.isDirectory) await walk(join(at, e.name));
    }
    found.push(at);
  };
  await walk(dir);
  return found;
}

Deno.test("prefill of a restored cache marks the copies it uses, so prune removes only the others", async () => {
  await withWorkspace(async (dir, vc) => {
    const src = join(dir, "src");
    await Deno.mkdir(src);
    const names = ["a.bin", "b.bin", "c.bin", "d.bin"];
    for (const name of names) await Deno.writeTextFile(join(src, name), `${name}\n`);
    const uri = (name: string) => pathToFileURL(join(src, name)).href;
    await Deno.writeTextFile(join(dir, "all.txt"), names.map(uri).join("\n") + "\n");
    await Deno.writeTextFile(join(dir, "used.txt"), [uri("a.bin"), uri("b.bin")].join("\n") + "\n");
    ok(await vc(["prefill", "--list", "all.txt"]), "cold prefill");

    // The restore: every copy's access time is when tar wrote it, a few
    // seconds before the job's prefill; the modification time is kept.
    const cache = join(dir, "cache");
    const restoredAt = new Date(Date.now() - 5_000);
    const before = await copies(cache);
    assertEquals([...before.keys()].sort(), names);
    for (const path of before.values()) {
      await Deno.utime(path, restoredAt, (await Deno.stat(path)).mtime!);
    }
    // Then, as tar does, each directory's times, after its files: that moves
    // its change time past their access time (a restore, not another
    // process's mark, which leaves the directory as it was).
    for (const path of await directories(cache)) {
      await Deno.utime(path, restoredAt, (await Deno.stat(path)).mtime!);
    }

    // The README's recipe, as written, with `vc` on the PATH and the
    // project's `deno task prefill` standing for `vc prefill --list used.txt`.
    const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
    const recipe = readme.split("\n").find((line) => line.startsWith("start=$(date +%s) && "));
    assert(recipe !== undefined, "the README's prune recipe");
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(
      join(bin, "vc"),
      `#!/bin/sh\nexec ${shellWord(Deno.execPath())} run ${PERMISSION_FLAGS.join(" ")} ${
        shellWord(CLI)
      } "$@"\n`,
      { mode: 0o755 },
    );
    const start = Date.now();
    const run = await new Deno.Command("sh", {
      args: ["-c", recipe.replace("deno task prefill", "vc prefill --list used.txt")],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, { PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}` }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    assert(stdout.includes("2 already cached"), stdout);
    const kept = await copies(cache);
    assertEquals([...kept.keys()].sort(), ["a.bin", "b.bin"], stdout);
    for (const path of kept.values()) {
      const used = (await Deno.stat(path)).atime!.getTime();
      assert(
        used >= start,
        `${path}: last use ${new Date(used).toISOString()}, before the prefill`,
      );
    }
  });
});
