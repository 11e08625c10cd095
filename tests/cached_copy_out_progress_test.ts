/**
 * A copy out of the cache reads the whole file (seconds a GB), checking the
 * cached copy against its record as it copies it to DEST. `vc sync` and `vc
 * get` of an entry already cached drew nothing through it, which looks
 * hung. `copyVerified` reports it (`onProgress`; `onCheckProgress` only for
 * a second read the streamed hashes cannot spare), `syncSettled` passes it
 * on as the entry's `step`, and `vc get` draws it as a `copying` step.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const SIZE = 3 * 1024 * 1024;

type Seen = { bytes: number; total: number };

/**
 * The reports start at 0, end at the total, and never go back but to start
 * another read of the file at 0 (a copy locked by SHA-256 is read for its
 * MD5, then for its SHA-256).
 */
function assertWhole(seen: Seen[], total: number, what: string): void {
  const shown = JSON.stringify(seen.slice(0, 5)) + "…" + JSON.stringify(seen.slice(-3));
  assert(seen.length >= 2, `${what}: reported from start to end: ${shown}`);
  assertEquals(seen[0], { bytes: 0, total }, `${what} starts at 0: ${shown}`);
  assertEquals(seen.at(-1), { bytes: total, total }, `${what} ends at the total: ${shown}`);
  assert(
    seen.every((s, i) => i === 0 || s.bytes >= seen[i - 1]!.bytes || s.bytes === 0),
    `${what} never goes back: ${shown}`,
  );
}

Deno.test("copyVerified reports the checked copy of a cached copy to dest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(SIZE).fill(7));
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const local = await cache.cache(`file://${dir}/big.bin`);
    const checked: Seen[] = [];
    const copied: Seen[] = [];
    await cache.copyVerified(local, `${dir}/out/big.bin`, {
      onCheckProgress: (p) => checked.push({ ...p }),
      onProgress: (p) => copied.push({ ...p }),
    });
    // Checked in the read that copies it: no read of its own to report.
    assertEquals(checked, [], "no second read");
    assertWhole(copied, SIZE, "the copy");
    assertEquals((await Deno.stat(`${dir}/out/big.bin`)).size, SIZE);
    // A path outside the cache (a local override) is only copied.
    const plain: Seen[] = [];
    await cache.copyVerified(`${dir}/big.bin`, `${dir}/out/plain.bin`, {
      onCheckProgress: () => plain.push({ bytes: -1, total: -1 }),
      onProgress: (p) => plain.push({ ...p }),
    });
    assertWhole(plain, SIZE, "the copy of a local path");
    // A callback that throws stops the copy with its error, and the cached
    // copy, which it says nothing of, stays cached.
    await assertRejects(
      () =>
        cache.copyVerified(local, `${dir}/out/stopped.bin`, {
          onProgress: () => {
            throw new Error("stopped by the caller");
          },
        }),
      Error,
      "stopped by the caller",
    );
    assertEquals((await Deno.stat(local)).size, SIZE);
    assertEquals(await cache.cache(`file://${dir}/big.bin`), local);
    assert(!(await Deno.lstat(`${dir}/out/stopped.bin`).then(() => true, () => false)));
    // A misspelt option or a callback that is none is refused, naming it.
    await assertRejects(
      () => cache.copyVerified(local, `${dir}/out/x`, { onprogress: () => {} } as never),
      Error,
      "onprogress",
    );
    await assertRejects(
      () => cache.copyVerified(local, `${dir}/out/x`, { onCheckProgress: 1 } as never),
      Error,
      "onCheckProgress",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the check of a copy cached in parts is reported across its parts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(SIZE).fill(9));
    const local = await cache.cache(`file://${dir}/big.bin`);
    // The record of a copy downloaded from a multipart upload in 1 MiB parts.
    const { checkFile } = await import("../src/verify.ts");
    const { md5File, multipartEtag } = await import("../src/hash.ts");
    const mib = 1024 * 1024;
    const parts = [];
    for (let start = 0; start < SIZE; start += mib) {
      parts.push(await md5File(local, { start, length: mib }));
    }
    const seen: Seen[] = [];
    const problem = await checkFile(
      local,
      { size: SIZE, etag: multipartEtag(parts), partSizes: [mib] },
      { onProgress: (p) => seen.push({ ...p }) },
    );
    assertEquals(problem, undefined);
    assertWhole(seen, SIZE, "the check in parts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync of a cached entry reports its checked copy as the entry's step", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(SIZE).fill(7));
    await using vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `${dir}/bucket`,
      cache: new AssetCache({ cacheDir: `${dir}/cache`, configPath: false }),
    });
    await vc.add("/big.bin", `${dir}/big.bin`);
    await vc.path("/big.bin"); // cached: the sync only checks and copies
    // Checked, and hashed for the sync's records, in the read that copies it.
    const steps: Record<string, Seen[]> = { checking: [], copying: [], hashing: [] };
    await vc.sync(`${dir}/out`, {
      onProgress: (p) => {
        if (p.step === undefined) return;
        assertEquals(p.current, "/big.bin");
        assertEquals(p.done, 0, "a step is of an entry not yet done");
        steps[p.step.name]!.push({ bytes: p.step.bytes, total: p.step.total });
      },
    });
    assertWhole(steps.copying!, SIZE, "the copy");
    assertEquals(steps.checking, [], "no read for the check alone");
    assertEquals(steps.hashing, [], "no read for the hash alone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc get of a cached entry draws its copy on a terminal, nothing when piped", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("big.bin", "x".repeat(SIZE));
  const env = { ...ws.env, VC_BUCKET: ws.bucket, TERM: "xterm" };
  assertEquals((await ws.run(["add", "/big.bin", "big.bin"], env)).code, 0);
  assertEquals((await ws.run(["path", "/big.bin"], env)).code, 0);
  const io = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true });
  assertEquals(await runCli(["get", "/big.bin", "copy.bin"], io), 0, io.stderr());
  const stderr = io.stderr();
  assertStringIncludes(stderr, "copy /big.bin");
  assertStringIncludes(stderr, "copying");
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${JSON.stringify(stderr)}`);
  assertEquals((await Deno.stat(ws.path("copy.bin"))).size, SIZE);
  const piped = memoryIo({ env, cwd: ws.dir });
  assertEquals(await runCli(["get", "/big.bin", "again.bin"], piped), 0, piped.stderr());
  assertEquals(piped.stderr(), "");
});

Deno.test("vc repo get --to draws its copy of the downloaded content on a terminal", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("big.bin", "r".repeat(SIZE));
  const env = { ...ws.env, TERM: "xterm" };
  const catalog = ["--catalog", `sqlite:${ws.dir}/catalog.sqlite`];
  const repo = ["--repo", `${ws.bucket}/repo`, ...catalog];
  assertEquals((await ws.run(["repo", "init", `${ws.bucket}/repo`, ...catalog], env)).code, 0);
  const added = await ws.run(["repo", "add", "/big.bin", "big.bin", ...repo], env);
  assertEquals(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const io = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true });
  assertEquals(await runCli(["repo", "get", id, "--to", "copy.bin", ...repo], io), 0, io.stderr());
  assertStringIncludes(io.stderr(), `copy record ${id}`);
  assertStringIncludes(io.stderr(), "copying");
  assert(io.stderr().endsWith("\r\x1b[K"), JSON.stringify(io.stderr().slice(-200)));
  assertEquals((await Deno.stat(ws.path("copy.bin"))).size, SIZE);
});

Deno.test("vc cat and vc get - draw their copy to stdout on stderr, never into the content", async () => {
  await using ws = await CliWorkspace.create();
  const content = "y".repeat(SIZE);
  await ws.write("big.bin", content);
  const env = { ...ws.env, VC_BUCKET: ws.bucket, TERM: "xterm" };
  assertEquals((await ws.run(["add", "/big.bin", "big.bin"], env)).code, 0);
  assertEquals((await ws.run(["path", "/big.bin"], env)).code, 0);
  for (const [args, label] of [[["cat", "/big.bin"], "cat"], [["get", "/big.bin", "-"], "copy"]]) {
    // Piped into a file or a slow reader, with stderr on a terminal: a bar.
    const io = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true });
    assertEquals(await runCli(args as string[], io), 0, io.stderr());
    assertEquals(io.stdout(), content, `${args}: stdout holds the content only`);
    const stderr = io.stderr();
    assertStringIncludes(stderr, `${label} /big.bin`);
    assertStringIncludes(stderr, "copying");
    assertStringIncludes(stderr, "100%");
    assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${JSON.stringify(stderr)}`);
    // Stdout on the terminal: the content shows it moving; a bar would cut into it.
    const screen = memoryIo({ env, cwd: ws.dir, stderrIsTerminal: true, stdoutIsTerminal: true });
    assertEquals(await runCli(args as string[], screen), 0, screen.stderr());
    assertEquals(screen.stdout(), content);
    assertEquals(screen.stderr(), "", `${args}: no bar beside content on the terminal`);
    // Stderr not a terminal (a CI log): nothing for a quick copy.
    const piped = memoryIo({ env, cwd: ws.dir });
    assertEquals(await runCli(args as string[], piped), 0, piped.stderr());
    assertEquals(piped.stdout(), content);
    assertEquals(piped.stderr(), "");
  }
});
