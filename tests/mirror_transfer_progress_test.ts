/**
 * `vc mirror` uploading or downloading one large file: its bar showed the
 * bytes moved and a rate (`mirror  0  16.8 MB  25.0 MB/s  big.bin`), but
 * not how far the file was, the run having no total (the walk and the
 * listing are streamed). `vc sync` says `/big.bin: downloading 6%`; the
 * mirror now tells each transfer as the file's step (`uploading`,
 * `downloading`, from 0 to its size) and the bar shows it after the name.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mirror, type MirrorProgress } from "../src/mirror/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const SIZE = 3 * 1024 * 1024;

type Step = NonNullable<MirrorProgress["step"]>;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mirror_transfer_progress_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function bigFile(dir: string): Promise<void> {
  await Deno.mkdir(join(dir, "src"), { recursive: true });
  const file = join(dir, "src", "big.bin");
  await Deno.writeFile(file, new Uint8Array(SIZE).fill(7));
  // Long settled: not deferred as a file being written.
  const old = new Date(Date.now() - 3_600_000);
  await Deno.utime(file, old, old);
}

/** The steps of `name` reported for big.bin. */
function stepsOf(all: { key?: string; step: Step }[], name: string): Step[] {
  return all.filter((s) => (s.step.name as string) === name).map((s) => s.step);
}

Deno.test("mirror reports an upload and a download of a large file as its step, from 0 to its size", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"], minPartSize: 1 });
  await using store = new S3Store({
    bucket: "assets",
    prefix: "up", // the store of the mirror's s3://assets/up
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 1024 * 1024,
    partSize: 1024 * 1024,
  });
  const openStore = () => Promise.resolve<ObjectStore>(store);
  {
    await withDir(async (dir) => {
      await bigFile(dir);
      const seen: { key?: string; step: Step }[] = [];
      const onProgress = (p: MirrorProgress) => {
        if (p.step !== undefined) {
          seen.push({ ...(p.current ? { key: p.current } : {}), step: p.step });
        }
      };
      const up = await mirror({
        sources: [join(dir, "src")],
        target: "s3://assets/up",
        statePath: join(dir, "state.db"),
        openStore,
        onProgress,
      });
      assertEquals(up.transferred, 1);
      const uploading = stepsOf(seen, "uploading");
      assert(uploading.length > 0, `no uploading step: ${JSON.stringify(seen)}`);
      // The file's steps, then the run's confirming of its one upload.
      const fileSteps = seen.filter((s) => s.step.name !== "confirming");
      assert(fileSteps.every((s) => s.key === "big.bin"), JSON.stringify(seen));
      assertEquals(seen.at(-1), {
        key: "1 upload",
        step: { name: "confirming", bytes: 1, total: 1 },
      });
      assert(
        uploading.every((s) => s.total === SIZE && s.bytes <= SIZE),
        JSON.stringify(uploading),
      );
      assertEquals(uploading.at(-1)?.bytes, SIZE);

      seen.length = 0;
      const down = await mirror({
        sources: ["s3://assets/up"],
        target: join(dir, "down"),
        statePath: join(dir, "state.db"),
        openStore,
        onProgress,
      });
      assertEquals(down.transferred, 1);
      const downloading = stepsOf(seen, "downloading");
      assert(downloading.length > 0, `no downloading step: ${JSON.stringify(seen)}`);
      assert(downloading.every((s) => s.total === SIZE), JSON.stringify(downloading));
      assertEquals(downloading.at(-1)?.bytes, SIZE);
    });
  }
});

Deno.test("vc mirror on a terminal: the bar says how far the file in transfer is; off one, nothing", async () => {
  await withDir(async (dir) => {
    await bigFile(dir);
    const target = pathToFileURL(join(dir, "target")).href;
    await Deno.mkdir(join(dir, "target"));
    // Each reading of the clock is a second after the last: every update is
    // past the bar's throttle, so what it shows does not depend on speed.
    const run = async (args: string[], terminal: boolean) => {
      const realNow = performance.now;
      let t = 0;
      performance.now = () => (t += 1_000);
      try {
        const io = memoryIo({
          env: { HOME: join(dir, "home"), TERM: "xterm" },
          cwd: dir,
          stderrIsTerminal: terminal,
        });
        const code = await runCli(args, io);
        return { code, stderr: io.stderr(), stdout: io.stdout() };
      } finally {
        performance.now = realNow;
      }
    };
    const up = await run(["mirror", "src", target, "--state", "state.db"], true);
    assertEquals(up.code, 0, up.stderr);
    assert(shownHowFar(up.stderr, "uploading"), JSON.stringify(up.stderr));
    assert(up.stderr.endsWith("\r\x1b[K"), `the bar is erased: ${JSON.stringify(up.stderr)}`);
    assertStringIncludes(up.stdout + up.stderr, "1 uploaded");

    const down = await run(["mirror", target, "down", "--state", "state.db"], true);
    assertEquals(down.code, 0, down.stderr);
    assert(shownHowFar(down.stderr, "downloading"), JSON.stringify(down.stderr));

    const piped = await run(["mirror", target, "down2", "--state", "state.db", "--json"], false);
    assertEquals([piped.code, piped.stderr], [0, ""]);
    assertEquals((JSON.parse(piped.stdout) as { transferred: number }).transferred, 1);
  });
});

/**
 * Whether a bar said how far the file in transfer was: by its own step
 * (`big.bin: downloading 45%`), or, once the walk and listing were read to
 * their end before the transfer, by the run's totals (`33%  0/1  1.0 MB/3.1
 * MB  …  ETA 0:08`), which on an 80-column line leave the step no room.
 */
function shownHowFar(stderr: string, step: string): boolean {
  return stderr.includes(`big.bin: ${step} `) ||
    /\d+% {2}0\/1 {2}[\d.]+ [kM]?B\/3\.1 MB .*ETA \d/.test(stderr);
}
