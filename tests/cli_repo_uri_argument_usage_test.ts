/**
 * A URI argument of `vc repo init URI`, `vc repo backup DEST_URI` and
 * `vc repo restore SNAPSHOT` that is no store location (`http://x`, `s3://`
 * without a bucket, `file://` without a path) was a failure (exit 1) found
 * when it was opened, not naming the argument, while the same value in
 * `--repo` is a usage error (exit 2) naming `--repo`. It is now a usage
 * error naming the argument, said before the repository is opened. Run as
 * the `vc` process.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";
import { firstAsProcess, withWorkspace } from "./cli_process.ts";

Deno.test("a malformed URI argument of vc repo init, backup and restore is a usage error", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 2);
    // No repository there: a malformed argument is refused before it is looked at.
    const env = { VC_REPO: `file://${dir}/no-repo` };
    for (
      const [args, message] of [
        [["repo", "init", "http://x"], 'URI: unsupported scheme "http"'],
        [["repo", "init", "s3://"], 'URI: invalid bucket name ""'],
        [["repo", "init", "file://"], "URI: file:// names no directory"],
        [["repo", "backup", "http://x/b.jsonl.gz"], 'DEST_URI: unsupported scheme "http"'],
        [["repo", "backup", "s3://"], 'DEST_URI: invalid bucket name ""'],
        [["repo", "restore", "ftp://x/b.jsonl.gz"], 'SNAPSHOT: unsupported scheme "ftp"'],
      ] as const
    ) {
      const r = await vc([...args], env);
      assertFailure(r, 2, message);
      assertStringIncludes(r.stderr, `Run "vc ${args[0]} ${args[1]} --help"`);
      assertEquals(r.stdout, "");
    }
  });
});
