/**
 * The check after a large transfer reads the file whole again (seconds a
 * GB): a multipart upload's file hashed again (`vc add`, `vc update`,
 * `vc repo add`), a downloaded record's MD5 (`vc repo get`). The bar sat at
 * 100% through it and then vanished, which looks hung, and a CI log printed
 * nothing (no plain line for an operation at 100%). The library reports the
 * check through `onCheckProgress`, and the bar shows it as its own step,
 * `checking` with its percentage.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { checkProgress } from "../src/cli/upload_progress.ts";
import { ProgressBar } from "../src/progress.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

// Past the S3 client's multipart threshold (16 MiB): the ETag is no MD5,
// so the file is read again after the upload.
const MULTIPART_SIZE = 17 * 1024 * 1024;

/** Runs `vc args` in-process with stderr a terminal; returns the code and stderr. */
async function runOnTerminal(
  ws: CliWorkspace,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo({
    env: { ...ws.env, ...env, TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The transfer's bytes, then `checking` from 0% to 100%, and the bar erased. */
function assertCheckAfter(stderr: string, transfer: string): void {
  const shown = JSON.stringify(stderr.slice(-2000));
  const moved = stderr.lastIndexOf(transfer);
  const start = stderr.indexOf("0%  0 B/");
  const checking = stderr.indexOf("checking");
  assert(moved >= 0, `the transfer is shown: ${shown}`);
  assert(checking > 0, `the check after it is shown: ${shown}`);
  assert(start > 0, `the check is drawn from its start: ${shown}`);
  const last = stderr.slice(stderr.lastIndexOf("\r\x1b[K", stderr.length - 5));
  assert(
    last.includes("100%") && last.includes("checking"),
    `the check is drawn to its end: ${shown}`,
  );
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${shown}`);
}

Deno.test("vc add, vc repo add and vc repo get: the check after the transfer is shown", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await ws.write("big.bin", "x".repeat(MULTIPART_SIZE));
  await withProcessEnv(s3.env, async () => {
    const env = { ...s3.env, VC_BUCKET: "s3://assets/team" };
    const add = await runOnTerminal(ws, ["add", "/big.bin", "big.bin"], env);
    assertEquals(add.code, 0, add.stderr);
    assertCheckAfter(add.stderr, "uploading");

    const repo = "s3://assets/repo";
    const catalog = `sqlite:${ws.dir}/catalog.sqlite`;
    const init = await ws.run(["repo", "init", repo, "--catalog", catalog], env);
    assertEquals(init.code, 0, init.stderr);
    const repoAdd = await runOnTerminal(ws, [
      "repo",
      "add",
      "/big.bin",
      "big.bin",
      "--repo",
      repo,
      "--catalog",
      catalog,
    ], env);
    assertEquals(repoAdd.code, 0, repoAdd.stderr);
    assertCheckAfter(repoAdd.stderr, "uploading");

    const id = repoAdd.stdout.trim();
    const get = await runOnTerminal(ws, [
      "repo",
      "get",
      id,
      "--to",
      "copy.bin",
      "--repo",
      repo,
      "--catalog",
      catalog,
    ], env);
    assertEquals(get.code, 0, get.stderr);
    // Then the copy to --to draws a bar of its own (cached_copy_out_progress_test.ts):
    // the download's bar is the part before it.
    const copy = get.stderr.indexOf("\r\x1b[Kcopy record");
    assert(copy > 0, `the copy to --to is drawn: ${JSON.stringify(get.stderr.slice(-300))}`);
    assertCheckAfter(get.stderr.slice(0, copy), "download record");
  });
});

Deno.test("a CI log gets its plain line during the check after a transfer at 100%", () => {
  let log = "";
  let t = 0;
  using bar = new ProgressBar({
    label: "upload /big.bin",
    enabled: false,
    write: (s) => (log += s),
    now: () => t,
    logIntervalMs: 30_000,
  });
  bar.onBytes({ bytes: 100, total: 100 });
  const onCheck = checkProgress(bar);
  onCheck({ bytes: 0, total: 100 });
  t = 31_000;
  onCheck({ bytes: 37, total: 100 });
  assert(log.includes("37%") && log.includes("checking"), JSON.stringify(log));
});
