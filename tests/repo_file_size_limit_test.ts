/**
 * A process with a file-size limit (`ulimit -f`, a batch scheduler's
 * RLIMIT_FSIZE) whose write would pass it: the kernel sends SIGXFSZ, which
 * killed `vc` mid-command (exit 153, nothing said by vc, the content an
 * `repo add` had uploaded left in the store, recorded by nothing). The
 * signal is now caught, so the write fails (EFBIG): a catalog write is an
 * error naming the catalog and the limit, nothing is committed, and the
 * add deletes its upload, as on a full disk (repo_full_disk_test.ts).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { filesUnder } from "./files_under.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name:
    "repo add whose catalog write passes the file-size limit says so and keeps no upload (ignored off Linux: bash's ulimit and /proc/self/limits)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const env = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
      await Deno.writeTextFile(join(dir, "f.txt"), "a\n");
      // 300 tags of 200 characters: a WAL of well over 100 KiB.
      const tags = Array.from({ length: 300 }, (_, i) => `t${i}${"x".repeat(190)}`).join(",");
      ok(await vc(["repo", "init"], env), "repo init");
      // Unlimited first, as the command to come: Deno writes its code cache
      // then, not under the limit.
      ok(await vc(["repo", "add", "/warm", "f.txt", "--tag", "warm"], env), "repo add");
      const before = contentObjects(dir);
      const run = await vcCommand(
        dir,
        childEnv(dir, env),
        ["repo", "add", "/tagged", "f.txt", "--tag", tags],
        undefined,
        { fileSizeLimitKib: 100 },
      ).output();
      const stderr = decode(run.stderr);
      assertEquals([run.code, run.signal], [1, null], stderr);
      assert(stderr.startsWith("vc: cannot write catalog sqlite:"), stderr);
      assert(stderr.includes("file-size limit"), stderr);
      assert(
        stderr.includes(
          ".vc~repo.sqlite-wal reached this process's file-size limit at 102400 bytes",
        ),
        stderr,
      );
      assert(!stderr.includes("internal error"), stderr);
      // The upload is gone again, and the catalog is as it was.
      assertEquals(contentObjects(dir), before);
      const ls = ok(await vc(["repo", "ls", "--json"], env), "repo ls");
      assertEquals(JSON.parse(ls.stdout).map((r: { path: string }) => r.path), ["/warm"]);
    });
  },
});

function contentObjects(dir: string): string[] {
  return filesUnder(join(dir, "repo", "content")).filter((f) => !f.includes(".vc~"));
}
