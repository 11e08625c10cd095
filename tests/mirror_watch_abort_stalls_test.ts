/**
 * `vc mirror --watch` stopped by two Ctrl-C while its store does not answer
 * the abort of a multipart upload: the process ends 5 s later all the same,
 * and its last line says so (it ended on the "stopping" line, or, on a
 * terminal, on a progress bar left under the shell's prompt).
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { eraseDrawnBars, ProgressBar } from "../src/progress.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { lastLine } from "./interrupt_helpers.ts";

const BUCKET = "mirrorstall";

Deno.test("eraseDrawnBars erases the bars on screen only, once", () => {
  let out = "";
  const write = (s: string) => (out += s);
  const drawn = new ProgressBar({ enabled: true, write, columns: 80, label: "a" });
  const hidden = new ProgressBar({ enabled: false, write, label: "b" });
  const ended = new ProgressBar({ enabled: true, write, columns: 80, label: "c" });
  drawn.update({ done: 1, total: 3 });
  hidden.update({ done: 1, total: 3 });
  ended.update({ done: 1, total: 3 });
  ended.done();
  out = "";
  assert(eraseDrawnBars());
  assertEquals(out, "\r\x1b[K");
  drawn.update({ done: 2, total: 3 }); // done: later updates draw nothing
  assertEquals(out, "\r\x1b[K");
  assert(!eraseDrawnBars());
  hidden.done();
});

Deno.test({
  name:
    "mirror --watch: an abort the store does not answer ends at once with a last line saying so",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  async fn() {
    await using s3 = await startFakeS3({ buckets: [BUCKET] });
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_stall_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      await Deno.mkdir(join(dir, "data"));
      const big = join(dir, "data", "big.bin");
      await Deno.writeFile(big, new Uint8Array(20 * 1024 * 1024).fill(7));
      const hourAgo = new Date(Date.now() - 3_600_000);
      await Deno.utime(big, hourAgo, hourAgo);
      // The parts and their abort hang (well past the 5 s the abort is given).
      s3.setFaults({
        latencyMs: 30_000,
        match: (t) => t.op === "UploadPart" || t.op === "AbortMultipartUpload",
      });
      const env = childEnv(dir, testAwsEnv(s3.url));
      const child = vcCommand(dir, env, ["mirror", "data", `s3://${BUCKET}/p`, "--watch"], 60_000)
        .spawn();
      let stderr = "";
      const stderrRead = (async () => {
        for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
          stderr += chunk;
        }
      })();
      const stdoutRead = new Response(child.stdout).text();
      for (let i = 0; i < 1500 && s3.stats.UploadPart === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert(s3.stats.UploadPart > 0, "a part upload reached the server");
      child.kill("SIGINT");
      for (let t = 0; t < 500 && !stderr.includes("Ctrl-C again"); t++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assertStringIncludes(stderr, "stopping: letting the transfers in flight finish");
      await new Promise((r) => setTimeout(r, 300));
      const sent = Date.now();
      child.kill("SIGINT");
      const [status] = await Promise.all([child.status, stdoutRead, stderrRead]);
      const took = Date.now() - sent;
      assertEquals(status.code, 130, stderr);
      assert(took < 15_000, `ended ${took} ms after the second Ctrl-C`);
      const last = lastLine(stderr);
      assert(
        last.startsWith("vc: mirror interrupted: ended at once, before the work in flight"),
        `last line: ${last}`,
      );
    } finally {
      s3.clearFaults();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
