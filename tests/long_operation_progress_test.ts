/**
 * Every long operation shows progress on a terminal: `cache prune`,
 * `serve expire`, `repo backup`, `repo restore` and `lock` draw a bar on stderr when
 * it is a terminal (and erase it at the end), and print nothing extra when it
 * is not (a pipe, a log). `cache prune` also stops at Ctrl-C, keeping what it
 * removed until then removed and the rest cached.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** Runs `vc args` in-process with stderr a terminal (or not), returning code and stderr. */
async function runOn(
  ws: CliWorkspace,
  args: string[],
  terminal: boolean,
): Promise<{ code: number; stderr: string; stdout: string }> {
  const io = memoryIo({
    env: { ...ws.env, TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: terminal,
  });
  const code = await runCli(args, io);
  return { code, stderr: io.stderr(), stdout: io.stdout() };
}

/** The bar was drawn (its label and count) and erased at the end. */
function assertBar(stderr: string, label: string, count: string): void {
  assertStringIncludes(stderr, label);
  assertStringIncludes(stderr, count);
  assert(stderr.endsWith("\r\x1b[K"), `the bar is erased at the end: ${JSON.stringify(stderr)}`);
}

async function cacheThree(ws: CliWorkspace): Promise<void> {
  for (const name of ["a", "b", "c"]) await ws.write(`bucket/${name}.txt`, name.repeat(10));
  for (const name of ["a", "b", "c"]) {
    const r = await ws.run(["cache", "get", `${ws.bucket}/${name}.txt`]);
    assertEquals(r.code, 0, r.stderr);
  }
}

Deno.test("cache prune: a bar of the entries looked at on a terminal, nothing extra elsewhere", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  const dry = await runOn(ws, ["cache", "prune", "--max-size", "0", "--dry-run"], true);
  assertEquals(dry.code, 0, dry.stderr);
  assertBar(dry.stderr, "prune (dry run)", "3/3");
  const piped = await runOn(ws, ["cache", "prune", "--max-size", "0", "--dry-run"], false);
  assertEquals([piped.code, piped.stderr], [0, ""]);
  const real = await runOn(ws, ["cache", "prune", "--max-size", "0"], true);
  assertEquals(real.code, 0, real.stderr);
  assertBar(real.stderr, "prune", "3/3");
  assertStringIncludes(real.stdout + real.stderr, "removed 3 files");
});

Deno.test("cache prune: a stop keeps what was removed removed and the rest cached, and forgets the removed in memory", async () => {
  await using ws = await CliWorkspace.create();
  await cacheThree(ws);
  await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false });
  const paths = await Promise.all(
    ["a", "b", "c"].map((n) => cache.cache(`${ws.bucket}/${n}.txt`)),
  );
  const stop = new AbortController();
  const seen: number[] = [];
  await assertRejects(
    () =>
      cache.prune({
        maxBytes: 0,
        signal: stop.signal,
        onProgress: ({ done, total }) => {
          seen.push(done);
          assertEquals(total, 3);
          if (done === 1) stop.abort(new Error("stopped by the test"));
        },
      }),
    Error,
    "stopped by the test",
  );
  assertEquals(seen, [1], "no entry is looked at after the stop");
  const left = await Promise.all(paths.map((p) => Deno.stat(p).then(() => true, () => false)));
  assertEquals(left.filter((x) => !x).length, 1, "one removed before the stop, two still cached");
  // The removed one is downloaded again, not served from memory as a path that is gone.
  for (const [i, name] of ["a", "b", "c"].entries()) {
    const again = await cache.cache(`${ws.bucket}/${name}.txt`);
    assertEquals(await Deno.readTextFile(again), name.repeat(10), `entry ${i}`);
  }
  // A signal already stopped removes nothing.
  await assertRejects(() => cache.prune({ maxBytes: 0, signal: AbortSignal.abort() }));
  for (const p of paths) await Deno.stat(p);
});

Deno.test("serve expire: a bar of the entries looked at on a terminal", async () => {
  await using ws = await CliWorkspace.create();
  const root = join(ws.dir, "store");
  await Deno.mkdir(join(root, "meta"), { recursive: true });
  for (const [i, expiresAt] of [Date.now() - 1000, Date.now() + 3_600_000].entries()) {
    await Deno.writeTextFile(
      join(root, "meta", `${String(i).repeat(128)}.json`),
      JSON.stringify({ owner: "token-file:alice", filename: "placeholder", expiresAt, size: 0 }),
    );
  }
  const store = pathToFileURL(root).href;
  const r = await runOn(ws, ["serve", "expire", "--store", store], true);
  assertEquals(r.code, 0, r.stderr);
  assertBar(r.stderr, "expire", "1");
  assertStringIncludes(r.stdout + r.stderr, "removed 1 expired of 2 entries");
  const piped = await runOn(ws, ["serve", "expire", "--store", store], false);
  assertEquals([piped.code, piped.stderr], [0, ""]);
});

Deno.test("repo backup and restore: a bar of their steps and rows on a terminal", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  for (const name of ["a", "b"]) {
    await ws.write(`${name}.txt`, name);
    const add = await ws.run(["repo", "add", `/${name}.txt`, `${name}.txt`, "--repo", repo]);
    assertEquals(add.code, 0, add.stderr);
  }
  const snapshot = pathToFileURL(join(ws.dir, "snap.jsonl.gz")).href;
  const backup = await runOn(ws, ["repo", "backup", snapshot, "--repo", repo], true);
  assertEquals(backup.code, 0, backup.stderr);
  assertBar(backup.stderr, "backup", "reading the catalog");
  assertStringIncludes(backup.stderr, "uploading");
  const restore = await runOn(ws, ["repo", "restore", snapshot, "--force", "--repo", repo], true);
  assertEquals(restore.code, 0, restore.stderr);
  assertBar(restore.stderr, "restore", "writing the catalog");
  assertStringIncludes(restore.stderr, "2/2");
  assertStringIncludes(restore.stderr, "checking");
  // Not on a terminal: only the result.
  const again = await runOn(ws, ["repo", "restore", snapshot, "--force", "--repo", repo], false);
  assertEquals(again.code, 0, again.stderr);
  assertEquals(again.stderr.includes("\r"), false, again.stderr);
  const listed = await ws.run(["repo", "ls", "--repo", repo, "--json"]);
  assertEquals(listed.code, 0, listed.stderr);
  assertEquals(
    (listed.json() as { path: string }[]).map((r) => r.path).sort(),
    ["/a.txt", "/b.txt"],
  );
});

Deno.test("lock: the bar counts the bytes of the entries it downloads, not only the entries done", async () => {
  await using ws = await CliWorkspace.create();
  // Two versions, not cached, not locked: `vc lock` downloads both.
  await ws.write("bucket/a.1.0.0.bin", "a".repeat(300_000));
  await ws.write("bucket/b.1.0.0.bin", "b".repeat(200_000));
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.bin": "1.0.0", "/b.bin": "1.0.0" }));
  const env = { VC_BUCKET: ws.bucket };
  const io = memoryIo({
    env: { ...ws.env, ...env, TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const code = await runCli(["lock"], io);
  assertEquals(code, 0, io.stderr());
  // 500 kB: the two downloads together, on the line the bar ends with.
  assertBar(io.stderr(), "lock", "2/2  500.0 kB");
  const piped = memoryIo({ env: { ...ws.env, ...env, TERM: "xterm" }, cwd: ws.dir });
  await Deno.remove(ws.path("versioned_assets.lock.json"));
  await Deno.remove(ws.cacheDir, { recursive: true });
  assertEquals(await runCli(["lock"], piped), 0, piped.stderr());
  assertEquals(piped.stderr().includes("\r"), false, piped.stderr());
});
