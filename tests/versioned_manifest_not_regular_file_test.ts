/**
 * A manifest or lock file read from a pipe (`vc --manifest <(git show …)`,
 * `… | vc --manifest /dev/stdin`) can be read, but not rewritten: `add` and
 * `update` read it, published the version, and only then failed to take its
 * lock or write it (or, on a FIFO no one wrote to again, blocked for ever
 * reading it under the lock), leaving the version published and unpinned.
 * They now refuse a manifest or lock file that is a FIFO, socket or device
 * before anything is read or published.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv } from "./cli_process.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

// /dev/stdin is a pipe's own path only where it leads to the pipe (Linux's /proc).
const NOT_LINUX = Deno.build.os !== "linux";

// The `vc` binary's fixed permissions keep it out of /dev; a library user with
// --allow-all is not (and a FIFO made with mkfifo elsewhere is read the same
// way, but feeding one exactly once per read is a race a test cannot win).
const ALL_FILES = ["--allow-all", "--no-prompt"];

/** `vc ARGS` in `dir` with `input` on its standard input, a pipe. */
async function vcReadingStdin(dir: string, args: string[], input: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...ALL_FILES, CLI, ...args],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, { VC_BUCKET: "./bucket", VC_CACHE_DIR: join(dir, "cache") }),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // The child stopped before reading: its answer says why.
  }
  const out = await child.output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The names in the directory bucket (none when it was never made). */
async function bucketFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(join(dir, "bucket"))) names.push(e.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

Deno.test({
  name: "add / update: a manifest or lock file on a pipe is refused before anything is published",
  ignore: NOT_LINUX,
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_pipe_manifest_" }));
    try {
      await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
      const add = await vcReadingStdin(
        dir,
        ["--manifest", "/dev/stdin", "add", "/a.csv", "a.csv"],
        "{}",
      );
      assertEquals(await bucketFiles(dir), [], add.stderr);
      assertEquals(add.code, 1, add.stderr);
      assertStringIncludes(add.stderr, "manifest /dev/stdin is a FIFO, not a regular file");
      assertStringIncludes(add.stderr, "nothing was published");

      // A real manifest, with its lock file given on the pipe.
      const plain = await vcReadingStdin(dir, ["add", "/a.csv", "a.csv"], "");
      assertEquals(plain.code, 0, plain.stderr);
      const manifest = await Deno.readTextFile(join(dir, "versioned_assets.json"));
      const published = await bucketFiles(dir);
      await Deno.writeTextFile(join(dir, "a.csv"), "b\n");
      const update = await vcReadingStdin(
        dir,
        ["--lock", "/dev/stdin", "update", "/a.csv", "a.csv", "--patch"],
        "{}",
      );
      assertEquals(await bucketFiles(dir), published, update.stderr);
      assertEquals(update.code, 1, update.stderr);
      assertStringIncludes(update.stderr, "lock file /dev/stdin is a FIFO");
      assertEquals(await Deno.readTextFile(join(dir, "versioned_assets.json")), manifest);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
