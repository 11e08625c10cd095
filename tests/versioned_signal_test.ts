/**
 * Ctrl-C during `vc add` / `vc update`, as a real process: the first SIGINT
 * reaches the upload, the multipart upload is aborted on the server, nothing
 * is published, the manifest is untouched, and the exit code is 130.
 */
import { DENO_DIR, testAwsEnv, vcCommand } from "./cli_process.ts";
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { contentFiles, openUploads, requestsEnding } from "./interrupt_helpers.ts";

const BUCKET = "sigint";

/**
 * A workspace for a `vc` process against the fake S3 `s3`: a 40 MiB
 * `big.bin` (three parts at the default 16 MiB part size), the environment
 * (with `extra`), and a command builder with the release flags.
 */
async function s3Workspace(
  dir: string,
  s3: { url: string },
  extra: Record<string, string>,
): Promise<(args: string[]) => Deno.Command> {
  await Deno.mkdir(join(dir, "home"));
  await Deno.writeFile(join(dir, "big.bin"), new Uint8Array(40 * 1024 * 1024).fill(7));
  const env = {
    DENO_DIR: DENO_DIR,
    DENO_NO_UPDATE_CHECK: "1",
    HOME: join(dir, "home"),
    VC_CACHE_DIR: join(dir, "cache"),
    ...testAwsEnv(s3.url),
    NO_COLOR: "1",
    ...extra,
  };
  return vcIn(dir, env);
}

/** `vc ARGS` as a process in `dir` with the release flags and only `env`. */
function vcIn(dir: string, env: Record<string, string>): (args: string[]) => Deno.Command {
  return (args) => vcCommand(dir, env, args);
}

/**
 * Runs `vc add` of a 40 MiB file with requests of `slowOp` delayed by
 * `latencyMs`, sends SIGINT once the first `slowOp` request has arrived, and
 * checks that nothing is left: no object, no open multipart upload, no
 * manifest, exit code 130.
 */
async function interruptAdd(slowOp: "UploadPart" | "CreateMultipartUpload", latencyMs: number) {
  {
    const requests = requestsEnding();
    await using s3 = await startFakeS3({ buckets: [BUCKET], onRequest: requests.onRequest });
    s3.setFaults({ latencyMs, match: (t) => t.op === slowOp });
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_sigint_" }));
    try {
      const vc = await s3Workspace(dir, s3, { VC_BUCKET: `s3://${BUCKET}` });
      const child = vc(["add", "/big.bin", "big.bin"]).spawn();
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
      // delay is over: wait for it to end before looking at what it left.
      await requests.settled(s3, latencyMs + 5_000);
      assertEquals(s3.listKeys(BUCKET), []);
      assertEquals(s3.stats.AbortMultipartUpload, 1);
      s3.clearFaults();
      assertEquals(await openUploads(s3, BUCKET), []);
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

Deno.test({
  name: "SIGINT during `vc repo add` aborts the multipart upload and exits 130, recording nothing",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  async fn() {
    const requests = requestsEnding();
    await using s3 = await startFakeS3({ buckets: [BUCKET], onRequest: requests.onRequest });
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_sigint_repo_" }));
    try {
      const vc = await s3Workspace(dir, s3, { VC_REPO: `s3://${BUCKET}/repo` });
      const init = await vc(["repo", "init", "--catalog", `sqlite:${join(dir, "c.sqlite")}`])
        .output();
      assertEquals(init.code, 0, new TextDecoder().decode(init.stderr));
      s3.setFaults({ latencyMs: 3000, match: (t) => t.op === "UploadPart" });
      const child = vc(["repo", "add", "/big.bin", "big.bin"]).spawn();
      const output = child.output();
      for (let i = 0; i < 1500 && s3.stats.UploadPart === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(s3.stats.CreateMultipartUpload, 1, "the upload started");
      child.kill("SIGINT");
      const { code, stderr } = await output;
      assertEquals(code, 130, new TextDecoder().decode(stderr));
      await requests.settled(s3, 3000 + 5_000); // the delayed part request ends on the server
      assertEquals(s3.stats.AbortMultipartUpload, 1);
      s3.clearFaults();
      assertEquals(s3.listKeys(BUCKET), ["repo/.vc-repo.json"]);
      const ls = await vc(["repo", "ls", "--json"]).output();
      assertEquals(JSON.parse(new TextDecoder().decode(ls.stdout)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "SIGTERM ends a command stuck waiting (a locked SQLite catalog) within the grace period, 130",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_sigterm_" }));
    const { DatabaseSync } = await import("node:sqlite");
    try {
      const repo = `file://${join(dir, "repo")}`;
      const env = { DENO_DIR: DENO_DIR, HOME: dir, VC_REPO: repo, NO_COLOR: "1" };
      const vc = vcIn(dir, env);
      assertEquals((await vc(["repo", "init"]).output()).code, 0);
      await Deno.writeTextFile(join(dir, "a.txt"), "a\n");
      // Another process holds the catalog's write lock: the add waits and retries (~1 min).
      const holder = new DatabaseSync(join(dir, "repo", ".vc~repo.sqlite"));
      try {
        holder.exec("BEGIN EXCLUSIVE");
        const child = vc(["repo", "add", "/a.txt", "a.txt"]).spawn();
        const output = child.output();
        // Bounded wait until the content is up (the signal handlers in place
        // long since): the add then waits for the catalog's lock.
        const deadline = Date.now() + 60_000;
        while ((await contentFiles(join(dir, "repo", "content"))).length === 0) {
          assert(Date.now() < deadline, "the add uploaded its content");
          await new Promise((r) => setTimeout(r, 50));
        }
        const sent = Date.now();
        child.kill("SIGTERM");
        const { code } = await output;
        const took = Date.now() - sent;
        assertEquals(code, 130);
        assert(took < 20_000, `exited ${took} ms after SIGTERM`);
      } finally {
        holder.close();
      }
      const ls = await vc(["repo", "ls", "--json"]).output();
      assertEquals(JSON.parse(new TextDecoder().decode(ls.stdout)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
