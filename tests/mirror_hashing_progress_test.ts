/**
 * `vc mirror` hashes a large local file (new, or changed since the last
 * run) before it compares or uploads it: seconds a GB, in which its bar
 * stood still (a run whose files are all unchanged but for a touched large
 * one drew nothing until its end). The read is told as the file's
 * `hashing` step, and the bar shows it after the file's name.
 */
import { join } from "node:path";
import { mirror, type MirrorProgress } from "../src/mirror/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const SIZE = 3 * 1024 * 1024;

Deno.test("mirror reports the hashing of a large local file as its step, from 0 to its size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "target"));
    const file = join(dir, "src", "big.bin");
    await Deno.writeFile(file, new Uint8Array(SIZE).fill(3));
    // Long settled: not deferred as a file being written.
    const old = new Date(Date.now() - 3_600_000);
    await Deno.utime(file, old, old);
    const steps: NonNullable<MirrorProgress["step"]>[] = [];
    const report = await mirror({
      sources: [join(dir, "src")],
      target: `file://${join(dir, "target")}`,
      statePath: join(dir, "state.db"),
      onProgress: (p) => {
        // The transfer's steps (uploading) are mirror_transfer_progress_test's.
        if (p.step?.name !== "hashing") return;
        assertEquals(p.current, "big.bin");
        steps.push({ ...p.step });
      },
    });
    assertEquals(report.transferred, 1);
    const shown = JSON.stringify(steps);
    assertEquals(steps[0], { name: "hashing", bytes: 0, total: SIZE }, shown);
    assertEquals(steps.at(-1), { name: "hashing", bytes: SIZE, total: SIZE }, shown);

    // Touched since: hashed again, and the CLI's bar says so on a terminal.
    const older = new Date(Date.now() - 1_800_000);
    await Deno.utime(file, older, older);
    const io = memoryIo({
      env: { HOME: join(dir, "home"), TERM: "xterm" },
      cwd: dir,
      stderrIsTerminal: true,
    });
    const args = ["mirror", "src", `file://${join(dir, "target")}`, "--state", "state.db"];
    assertEquals(await runCli(args, io), 0, io.stderr());
    assertStringIncludes(io.stderr(), "big.bin: hashing 0%");
    assertStringIncludes(io.stdout() + io.stderr(), "1 unchanged");
    assert(io.stderr().includes("\r\x1b[K"), "the bar is erased");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// A multipart object's download hashes its parts, not the whole: the file is
// read again for the state (its MD5), which is told as its hashing step.
Deno.test("mirror from a store reports the hashing of a file downloaded in parts", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
  await using store = new S3Store({
    bucket: "assets",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 1024 * 1024,
    partSize: 1024 * 1024,
  });
  const { etag } = await store.put("big.bin", new Uint8Array(SIZE).fill(5));
  assert(etag.endsWith("-3"), etag);
  const dir = await Deno.makeTempDir();
  try {
    const steps: NonNullable<MirrorProgress["step"]>[] = [];
    const report = await mirror({
      sources: ["s3://assets"],
      target: join(dir, "down"),
      statePath: join(dir, "state.db"),
      openStore: () => Promise.resolve<ObjectStore>(store),
      onProgress: (p) => {
        if (p.step?.name === "hashing") steps.push({ ...p.step });
      },
    });
    assertEquals(report.transferred, 1);
    const shown = JSON.stringify(steps);
    assertEquals(steps[0], { name: "hashing", bytes: 0, total: SIZE }, shown);
    assertEquals(steps.at(-1), { name: "hashing", bytes: SIZE, total: SIZE }, shown);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
