/**
 * Ctrl-C during `vc add` / `vc update`, as a real process: the first SIGINT
 * reaches the upload, the multipart upload is aborted on the server, nothing
 * is published, the manifest is untouched, and the exit code is 130.
 */
import { join } from "node:path";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { fileURLToPath } from "node:url";
import { startFakeS3 } from "../src/testing/mod.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals } from "./assert.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const BUCKET = "sigint";

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return (JSON.parse(new TextDecoder().decode(stdout)) as { denoDir: string }).denoDir;
}

/**
 * Runs `vc add` of a 40 MiB file with requests of `slowOp` delayed by
 * `latencyMs`, sends SIGINT once the first `slowOp` request has arrived, and
 * checks that nothing is left: no object, no open multipart upload, no
 * manifest, exit code 130.
 */
async function interruptAdd(slowOp: "UploadPart" | "CreateMultipartUpload", latencyMs: number) {
  {
    await using s3 = await startFakeS3({ buckets: [BUCKET] });
    s3.setFaults({ latencyMs, match: (t) => t.op === slowOp });
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_sigint_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      // 40 MiB: three parts at the default 16 MiB part size.
      await Deno.writeFile(join(dir, "big.bin"), new Uint8Array(40 * 1024 * 1024).fill(7));
      const env = {
        DENO_DIR: await denoDir(),
        DENO_NO_UPDATE_CHECK: "1",
        HOME: join(dir, "home"),
        VC_CACHE_DIR: join(dir, "cache"),
        VC_BUCKET: `s3://${BUCKET}`,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: s3.url,
        NO_COLOR: "1",
      };
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, CLI, "add", "/big.bin", "big.bin"],
        cwd: dir,
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = child.output();
      // Wait (bounded) until the slow request has reached the server.
      for (let i = 0; i < 1500 && s3.stats[slowOp] === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(s3.stats.CreateMultipartUpload, 1, "the upload started");
      child.kill("SIGINT");
      const { code, stderr } = await output;
      assertEquals(code, 130, new TextDecoder().decode(stderr));
      // A request the client gave up on still runs on the server once its
      // delay is over: wait that long before looking at what it left.
      await new Promise((r) => setTimeout(r, latencyMs + 200));
      assertEquals(s3.listKeys(BUCKET), []);
      assertEquals(s3.stats.AbortMultipartUpload, 1);
      s3.clearFaults();
      const client = new S3Client({
        endpoint: s3.url,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      try {
        const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
        assertEquals(open.Uploads ?? [], []);
      } finally {
        client.destroy();
      }
      assertEquals(
        await Deno.stat(join(dir, "versioned_assets.json")).catch(() => "absent"),
        "absent",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

Deno.test({
  name: "SIGINT during `vc add` aborts the multipart upload and exits 130, publishing nothing",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  // Every part upload waits, so the upload is surely in flight when Ctrl-C comes.
  fn: () => interruptAdd("UploadPart", 3000),
});

Deno.test({
  name: "SIGINT while the multipart upload is being created still aborts it once it exists",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  // The server creates the upload after the client has been interrupted: the
  // client must wait for its id (or never learn it and leave it open).
  fn: () => interruptAdd("CreateMultipartUpload", 1500),
});
