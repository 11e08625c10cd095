/**
 * A prefill whose concurrency needs more file descriptors than the process
 * may open (macOS's default soft limit is 256; `--concurrency` goes to 1024)
 * failed items with a bare "Too many open files (os error 24)", and those of
 * them that failed on the GET were taken for a store that could not be
 * asked: after 16 the store's other items failed as "not tried: s3://b could
 * not be asked", though the store answered every request it got. Now such a
 * failure says to lower the concurrency or raise the limit, and never trips
 * the store's breaker; its kind is `VcError` (it was a store's `StoreError`
 * for a failed GET, or an open of a file:// source, beside `VcError`s).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { childEnv, testAwsEnv } from "./cli_process.ts";
import { assert, assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const CLI = join(import.meta.dirname!, "..", "cli.ts");

/**
 * `vc prefill --list LIST --concurrency 400 ...extra` run in `dir` with at
 * most 128 open files (the limit is lowered in a shell, which then becomes
 * the CLI): its exit code, stdout and stderr.
 */
async function prefillWithFewFiles(
  dir: string,
  list: string,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command("sh", {
    args: [
      "-c",
      'ulimit -n 128 && exec "$@"',
      "sh",
      Deno.execPath(),
      "run",
      "-A",
      CLI,
      "prefill",
      "--list",
      list,
      "--concurrency",
      "400",
      ...extra,
    ],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, env),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test({
  name:
    "prefill: out of open files names the fix, is vc's error, and never takes the store for down",
  // ulimit -n is a POSIX shell's.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    const dir = await Deno.makeTempDir({ prefix: "vc-open-files-" });
    try {
      const uris: string[] = [];
      for (let i = 0; i < 600; i++) {
        await s3.putObject("b", `k/${i}.bin`, `v${i}`);
        uris.push(`s3://b/k/${i}.bin`);
      }
      const list = join(dir, "list.txt");
      await Deno.writeTextFile(list, uris.join("\n") + "\n");
      const { code, stdout } = await prefillWithFewFiles(dir, list, testAwsEnv(s3.url), ["--json"]);
      const summary = JSON.parse(stdout) as {
        fetched: number;
        failed: { error: string; errorName: string }[];
      };
      assert(summary.failed.length > 0, "the limit was not reached: nothing to check");
      assertEquals(code, 1);
      assertEquals(summary.fetched + summary.failed.length, 600);
      for (const f of summary.failed) {
        assert(!f.error.includes("not tried"), f.error);
        assert(f.error.includes("ulimit -n"), f.error);
        // vc's own limit, whatever call met it: no store's error (StoreError
        // is a store's 5xx), one kind for them all.
        assertEquals(f.errorName, "VcError", f.error);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "vc prefill: the items that failed out of open files are one line, the others' own",
  // ulimit -n is a POSIX shell's.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // Each said the same advice on a line of its own: 20 lines alike, then a
    // count that hid another item's own failure.
    const dir = await Deno.makeTempDir({ prefix: "vc-open-files-" });
    try {
      const uris: string[] = [];
      for (let i = 0; i < 600; i++) {
        const file = join(dir, `f${i}.txt`);
        await Deno.writeTextFile(file, `v${i}`);
        uris.push(pathToFileURL(file).href);
      }
      uris.push(pathToFileURL(join(dir, "absent.txt")).href);
      const list = join(dir, "list.txt");
      await Deno.writeTextFile(list, uris.join("\n") + "\n");
      const { code, stderr: err } = await prefillWithFewFiles(dir, list, {});
      assertEquals(code, 1, err);
      const failures = err.split("\n").filter((l) => l.startsWith("vc: prefill failed: "));
      const outOfFiles = failures.filter((l) => l.includes("ran out of open files"));
      assert(outOfFiles.length > 0, `the limit was not reached: nothing to check\n${err}`);
      assertEquals(outOfFiles.length, 1, err);
      assert(/^vc: prefill failed: \d+ items \(file:\/\//.test(outOfFiles[0]!), err);
      assert(outOfFiles[0]!.includes("`ulimit -n`"), err);
      assert(failures.some((l) => l.includes("absent.txt")), err);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
