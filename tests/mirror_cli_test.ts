/**
 * `vc mirror` on the command line: in-process (flags, output, exit codes)
 * and as a real process with the release permissions (including --watch
 * stopped by SIGTERM, and an s3:// target on the fake server).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { withWorkspace } from "./cli_process.ts";

interface JsonReport {
  transferred: number;
  deleted: number;
  unchanged: number;
  extra: number;
  failed: { path: string; error: string }[];
  actions?: { action: string; key: string }[];
  deletesSkipped?: string;
}

Deno.test("vc mirror: upload, dry run, delete, JSON report, summary line", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.csv", "1");
  await ws.write("data/sub/b.csv", "22");
  await ws.write("data/skip.tmp", "x");
  const target = ws.bucket;
  const common = ["--state", "state.db", "--exclude", "\\.tmp$", "--target-prefix", "/snap/"];
  const up = await ws.run(["mirror", "data", target, ...common]);
  assertEquals(up.code, 0, up.stderr);
  assertStringIncludes(up.stdout, "2 uploaded");
  assertEquals(await ws.read("bucket/snap/sub/b.csv"), "22");
  assert(!(await Deno.stat(ws.path("bucket/snap/skip.tmp")).then(() => true, () => false)));
  const quiet = await ws.run(["mirror", "data", target, ...common, "--quiet"]);
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);

  await Deno.remove(ws.path("data/a.csv"));
  const dry = await ws.run(["mirror", "data", target, ...common, "--delete", "--dry-run"]);
  assertEquals(dry.code, 0, dry.stderr);
  assertStringIncludes(dry.stdout, "delete  a.csv");
  assertStringIncludes(dry.stdout, "(dry run)");
  assertEquals(await ws.read("bucket/snap/a.csv"), "1");

  const noDelete = (await ws.run(["mirror", "data", target, ...common, "--json"])).json<
    JsonReport
  >();
  assertEquals([noDelete.transferred, noDelete.deleted, noDelete.extra], [0, 0, 1]);
  const del = await ws.run(["mirror", "data", target, ...common, "--delete", "--json"]);
  assertEquals(del.code, 0, del.stderr);
  assertEquals(del.json<JsonReport>().deleted, 1);
  assert(!(await Deno.stat(ws.path("bucket/snap/a.csv")).then(() => true, () => false)));

  // And back: store → local.
  const back = await ws.run(["mirror", `${target}/snap`, "restored", "--state", "back.db"]);
  assertEquals(back.code, 0, back.stderr);
  assertStringIncludes(back.stdout, "1 downloaded");
  assertEquals(await ws.read("restored/sub/b.csv"), "22");
});

Deno.test("vc mirror: an unreadable file is reported, exit 1, deletes skipped", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/ok.txt", "ok");
  await ws.write("bucket/stale.txt", "s");
  await Deno.symlink(ws.path("nowhere"), ws.path("data/dangling"));
  const r = await ws.run([
    "mirror",
    "data",
    ws.bucket,
    "--follow-symlinks",
    "--delete",
    "--state",
    "s.db",
  ]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "dangling");
  assertStringIncludes(r.stderr, "nothing was deleted");
  assertEquals(await ws.read("bucket/ok.txt"), "ok");
  assertEquals(await ws.read("bucket/stale.txt"), "s");
});

Deno.test("vc mirror: usage errors name the problem", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a", "a");
  const missing = await ws.run(["mirror", "data"]);
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.stderr, "TARGET");
  const debounce = await ws.run(["mirror", "data", ws.bucket, "--debounce", "2s"]);
  assertEquals(debounce.code, 2);
  assertStringIncludes(debounce.stderr, "--watch");
  const local = await ws.run(["mirror", "data", "elsewhere"]);
  assertEquals(local.code, 2);
  assertStringIncludes(local.stderr, "store URI");
  const regex = await ws.run(["mirror", "data", ws.bucket, "--filter", "("]);
  assertStringIncludes(regex.stderr, "--filter");
  assertEquals(regex.code, 2); // a flag's value, as --concurrency's
  assertEquals(
    (await ws.run(["mirror", "data", ws.bucket, "--exclude", "[", "--dry-run"])).code,
    2,
  );
  // A download into a file: said once, up front.
  await ws.write("a-file", "x");
  const file = await ws.run(["mirror", ws.bucket, "a-file"]);
  assertEquals(file.code, 1, file.stderr);
  assertStringIncludes(file.stderr, `${ws.path("a-file")} is not a directory`);
  assertEquals(await ws.read("a-file"), "x");
});

Deno.test("vc mirror: an empty SOURCE or TARGET is a usage error, never the current directory", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/keep.txt", "k");
  await ws.write("precious.txt", "p");
  const down = await ws.run(["mirror", ws.bucket, "", "--delete", "--state", "s.db"]);
  assertEquals(down.code, 2, down.stderr);
  assertStringIncludes(down.stderr, "TARGET is an empty string");
  assertEquals(await ws.read("precious.txt"), "p");
  const up = await ws.run(["mirror", "", ws.bucket, "--delete", "--state", "s.db"]);
  assertEquals(up.code, 2, up.stderr);
  assertStringIncludes(up.stderr, "SOURCE is an empty string");
  assertEquals(await ws.read("bucket/keep.txt"), "k");
});

Deno.test("vc mirror (process): to s3:// on the fake server, then a no-op", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await withWorkspace(async (dir, vc) => {
    for (let i = 0; i < 30; i++) {
      await Deno.mkdir(join(dir, "data", `d${i % 3}`), { recursive: true });
      await Deno.writeTextFile(join(dir, "data", `d${i % 3}`, `f${i}.txt`), `${i}`);
    }
    const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
    const first = await vc(["mirror", "data", "s3://bkt/pre/", "--json"], env);
    assertEquals(first.code, 0, first.stderr);
    assertEquals((JSON.parse(first.stdout) as JsonReport).transferred, 30);
    assertEquals(fake.listKeys("bkt", "pre/").length, 30);
    assert(fake.listKeys("bkt").every((k) => !k.includes("//")), "no // in keys");
    fake.resetStats();
    const again = await vc(["mirror", "data", "s3://bkt/pre", "--json"], env);
    assertEquals(again.code, 0, again.stderr);
    assertEquals((JSON.parse(again.stdout) as JsonReport).unchanged, 30);
    assertEquals(fake.stats.PutObject + fake.stats.HeadObject + fake.stats.GetObject, 0);
  });
});

/**
 * `vc mirror data file://DIR/bucket --watch ...extra` as a process with the
 * release flags, in DIR, with the `collect` stream gathered as it comes (the
 * other one read to its end); started 150 ms after the call.
 */
async function spawnMirrorWatch(dir: string, extra: string[], collect: "stdout" | "stderr") {
  // Past the tests' 100 ms debounce after their last write: else a watch that
  // starts fast leaves a file for later as still being written (as
  // mirrorWatchLog waits, in cli_process.ts).
  await new Promise((r) => setTimeout(r, 150));
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMISSION_FLAGS,
      cli,
      "mirror",
      "data",
      `file://${dir}/bucket`,
      "--watch",
      ...extra,
    ],
    cwd: dir,
    env: { HOME: dir, VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const collected = child[collect].pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void chunks.push(s) }),
  );
  const other = new Response(child[collect === "stdout" ? "stderr" : "stdout"]).text();
  const text = () => chunks.join("");
  return {
    child,
    text,
    /** Waits, at most `tries` × 100 ms, until the gathered text includes `marker`. */
    async waitFor(marker: string, tries: number): Promise<void> {
      for (let i = 0; i < tries && !text().includes(marker); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    /** Once the process has exited: the gathered stream is complete; the other stream's text. */
    async drained(): Promise<string> {
      await collected;
      return await other;
    },
  };
}

Deno.test({
  name: "vc mirror --watch (process): SIGTERM lets work finish and exits 0",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_watch_" }));
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
      const watch = await spawnMirrorWatch(
        dir,
        ["--debounce", "100ms", "--state", "s.db"],
        "stderr",
      );
      // Bounded wait for the first pass (the process needs to start and type-check).
      await watch.waitFor("initial:", 600);
      assertStringIncludes(watch.text(), "initial:");
      await Deno.writeTextFile(join(dir, "data", "b.txt"), "b");
      await watch.waitFor("events:", 300);
      watch.child.kill("SIGTERM");
      const status = await watch.child.status;
      await watch.drained();
      assertEquals(status.code, 0, watch.text());
      assertStringIncludes(watch.text(), "mirror stopped");
      assertEquals(await Deno.readTextFile(join(dir, "bucket", "b.txt")), "b");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "vc mirror --watch --json (process): SIGTERM ends the JSON log with a stopped line",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    // The closing line is a human-mode stderr line: with --json, the log on
    // stdout ended at the last batch, and a supervisor could not tell a
    // stopped watch from a killed one, nor read its totals.
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_watch_json_" }));
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
      const watch = await spawnMirrorWatch(
        dir,
        ["--json", "--debounce", "100ms", "--state", "s.db"],
        "stdout",
      );
      await watch.waitFor('"kind":"initial"', 600);
      await Deno.writeTextFile(join(dir, "data", "b.txt"), "b");
      await watch.waitFor('"kind":"events"', 300);
      watch.child.kill("SIGTERM");
      const status = await watch.child.status;
      const stderr = await watch.drained();
      assertEquals(status.code, 0, stderr);
      const lines = watch.text().trimEnd().split("\n").map((l) => JSON.parse(l));
      const last = lines.at(-1);
      assertEquals(Object.keys(last).sort(), [
        "batches",
        "bytes",
        "deleted",
        "failed",
        "kind",
        "passes",
        "transferred",
      ]);
      assertEquals(
        [last.kind, last.transferred, last.bytes, last.deleted, last.failed],
        ["stopped", 2, 2, 0, 0],
      );
      assert(last.passes >= 1 && last.batches >= 1, JSON.stringify(last));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "vc mirror --watch (process): SIGTERM ends it even with a FIFO made in the tree",
  // No FIFOs or SIGTERM there.
  ignore: Deno.build.os === "windows",
  async fn() {
    // Deno's watcher opens each file it reports: a FIFO blocks its thread
    // until a writer comes, and closing it then blocked the main thread, so
    // the stopped watch never printed its closing line nor exited.
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_fifo_" }));
    const fifo = join(dir, "data", "pipe");
    let child: Deno.ChildProcess | undefined;
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
      const watch = await spawnMirrorWatch(dir, [], "stderr");
      child = watch.child;
      await watch.waitFor("initial:", 600);
      assertStringIncludes(watch.text(), "initial:");
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assertEquals(made.code, 0);
      await new Promise((r) => setTimeout(r, 1000)); // the watcher reaches the FIFO
      child.kill("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const status = await Promise.race([
        child.status,
        new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), 15_000)),
      ]);
      clearTimeout(timer);
      assert(status !== undefined, `not stopped 15 s after SIGTERM:\n${watch.text()}`);
      await watch.drained();
      assertEquals(status.code, 0, watch.text());
      assertStringIncludes(watch.text(), "mirror stopped");
    } finally {
      if (child !== undefined) {
        try {
          child.kill("SIGKILL");
        } catch {
          // It exited.
        }
        await child.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("vc mirror: without --state, the state file lives under --cache-dir (nothing in the source)", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.csv", "1");
  const run = () => ws.run(["mirror", "data", ws.bucket, "--cache-dir", "cache", "--json"]);
  const first = await run();
  assertEquals(first.code, 0, first.stderr);
  assertEquals(first.json<JsonReport>().transferred, 1);
  const states = [];
  for await (const e of Deno.readDir(ws.path("cache/mirror"))) states.push(e.name);
  assertEquals(states.filter((n) => n.endsWith(".sqlite")).length, 1, states.join(", "));
  const names = [];
  for await (const e of Deno.readDir(ws.path("data"))) names.push(e.name);
  assertEquals(names, ["a.csv"]);
  assertEquals((await run()).json<JsonReport>().unchanged, 1);
});

Deno.test("vc mirror (process, release flags): a temp file a killed download left in the target is removed", async () => {
  // With the release flags Deno refuses to look at /proc/PID, so the pid in
  // the name tells nothing: the writer's lock (none held) does.
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(join(dir, "store/d"), { recursive: true });
    await Deno.writeTextFile(join(dir, "store/d/big"), "big");
    await Deno.mkdir(join(dir, "dl/d"), { recursive: true });
    const gone = new Deno.Command("true").spawn();
    const { pid } = gone;
    await gone.status;
    const dead = join(dir, `dl/d/.big.vc-tmp-${pid}-abcdefgh`);
    await Deno.writeTextFile(dead, "half a file");
    const minuteAgo = new Date(Date.now() - 60_000); // past the grace before a writer locks
    await Deno.utime(dead, minuteAgo, minuteAgo);
    // A live writer's, locked, is kept.
    const live = join(dir, `dl/d/.other.vc-tmp-${pid}-ijklmnop`);
    await Deno.writeTextFile(live, "being written");
    await Deno.utime(live, minuteAgo, minuteAgo);
    using held = await Deno.open(live, { read: true, write: true });
    await held.lock(true);
    const r = await vc([
      "mirror",
      `file://${join(dir, "store")}`,
      join(dir, "dl"),
      "--state",
      join(dir, "s.db"),
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await Deno.lstat(dead).then(() => true, () => false), false);
    assertEquals(await Deno.readTextFile(live), "being written");
    assertEquals(await Deno.readTextFile(join(dir, "dl/d/big")), "big");
  });
});

Deno.test("vc mirror: names with control characters print inert (no terminal sequences, no fake lines)", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/evil\x1b[2J\x1b[31mRED", "a");
  await ws.write("data/fake\nupload  passwd  (1 B)", "b");
  const dry = await ws.run(["mirror", "data", ws.bucket, "--state", "s.db", "--dry-run"]);
  assertEquals(dry.code, 0, dry.stderr);
  assert(!dry.stdout.includes("\x1b"), JSON.stringify(dry.stdout));
  assertStringIncludes(dry.stdout, "upload  evil\\x1b[2J\\x1b[31mRED");
  assertStringIncludes(dry.stdout, "upload  fake\\nupload  passwd  (1 B)");
  assert(!dry.stdout.split("\n").some((line) => line.startsWith("upload  passwd")), dry.stdout);
  // --json keeps the names exact (JSON escapes them itself).
  const json = await ws.run([
    "mirror",
    "data",
    ws.bucket,
    "--state",
    "s.db",
    "--dry-run",
    "--json",
  ]);
  const keys = json.json<{ actions: { key: string }[] }>().actions.map((a) => a.key).sort();
  assertEquals(keys, ["evil\x1b[2J\x1b[31mRED", "fake\nupload  passwd  (1 B)"]);
});

Deno.test("vc mirror --max-delete: more deletes than allowed deletes none, exit 1; bad values exit 2", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/ok.txt", "ok");
  for (const k of ["s1", "s2", "s3"]) await ws.write(`bucket/${k}`, k);
  const mirror = (...flags: string[]) =>
    ws.run(["mirror", "data", ws.bucket, "--delete", "--state", "s.db", ...flags]);
  const held = await mirror("--max-delete", "2");
  assertEquals(held.code, 1, held.stderr);
  assertStringIncludes(held.stderr, "more than the 2 one pass or batch may delete");
  assertEquals(await ws.read("bucket/s1"), "s1");
  assertEquals(await ws.read("bucket/ok.txt"), "ok");
  for (const bad of ["x", "-1", "1.5"]) {
    const r = await mirror("--max-delete", bad);
    assertEquals(r.code, 2, `${bad}: ${r.stderr}`);
    assertStringIncludes(r.stderr, "--max-delete");
  }
  const noDelete = await ws.run([
    "mirror",
    "data",
    ws.bucket,
    "--max-delete",
    "1",
    "--state",
    "s.db",
  ]);
  assertEquals(noDelete.code, 2);
  assertStringIncludes(noDelete.stderr, "--delete");
  const done = await mirror("--max-delete", "3");
  assertEquals(done.code, 0, done.stderr);
  assertEquals(await Deno.stat(ws.path("bucket/s1")).then(() => true, () => false), false);
});

/** Runs `vc args...` in-process until `until(stderr)` holds (bounded), then interrupts it. */
async function watchUntil(
  ws: CliWorkspace,
  args: string[],
  until: (stderr: string) => boolean,
  env: Record<string, string> = {},
  afterStart?: () => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stop = new AbortController();
  const io = memoryIo({ env: { ...ws.env, ...env }, cwd: ws.dir, signal: stop.signal });
  const running = runCli(args, io);
  try {
    if (afterStart) {
      // Once the initial pass has reported: a change the watch must see.
      for (let i = 0; i < 300 && !io.stderr().includes("initial:"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await afterStart();
    }
    // Bounded: 300 looks, 100 ms apart; the condition, not the time, ends it.
    for (let i = 0; i < 300 && !until(io.stderr()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    stop.abort();
  }
  const code = await running;
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("vc mirror --watch: the closing line counts the passes that failed whole (store unreachable)", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  // Said once in full, then a short line for each pass failing the same.
  const errorLines = (s: string) =>
    s.split("\n").filter((l) =>
      (l.startsWith("vc: mirror: ") && l.includes("does not exist")) ||
      l.startsWith("full pass: failed (as said above)")
    );
  // No such bucket: every full pass fails as a whole (reported through
  // onError, not in a pass's report), and is tried again after 1 s.
  const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
  let result = { code: -1, stderr: "" };
  await withProcessEnv(env, async () => {
    result = await watchUntil(
      ws,
      ["mirror", "data", "s3://missing/p", "--watch", "--debounce", "100ms", "--state", "s.db"],
      (stderr) => errorLines(stderr).length >= 2,
      env,
    );
  });
  assertEquals(result.code, 0, result.stderr);
  const failures = errorLines(result.stderr).length;
  assert(failures >= 2, result.stderr);
  // Before: "0 failed", after a log full of failures.
  assertStringIncludes(result.stderr, `, ${failures} failed\n`);
  assertStringIncludes(result.stderr, "mirror stopped: 0 passes,");
  assertEquals(
    result.stderr.split("\n").filter((l) => l.includes("does not exist")).length,
    1,
    "said once in full",
  );
});

Deno.test("vc mirror --watch: a file left for later (its mtime in the future) is named in the pass's line, then uploaded", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  // An mtime in the future is always "modified within the debounce": the
  // full pass leaves it for later, deterministically; the event path then
  // finds it unchanged over the quiet time and uploads it.
  const later = new Date(Date.now() + 3600_000);
  await Deno.utime(ws.path("data/a.txt"), later, later);
  const result = await watchUntil(
    ws,
    ["mirror", "data", ws.bucket, "--watch", "--debounce", "100ms", "--state", "s.db"],
    (stderr) => stderr.includes("events:"),
  );
  assertEquals(result.code, 0, result.stderr);
  // Before: "initial: mirror: 0 uploaded (0 B), 0 deleted, 0 unchanged, 0.0s",
  // as if the file had not been seen; then "1 still being written (later)"
  // at every pass, though nothing writes it: its mtime is what holds it.
  assertStringIncludes(
    result.stderr,
    "initial: mirror: 0 uploaded (0 B), 0 deleted, 0 unchanged, 1 with an mtime in the future (later),",
  );
  assertEquals(result.stderr.includes("still being written"), false, result.stderr);
  assertStringIncludes(result.stderr, "events: mirror: 1 uploaded");
  assertEquals(await ws.read("bucket/a.txt"), "a");
});

Deno.test("vc mirror: a cause shared by many files prints 20 failures and a count, once and per --watch batch; --json lists them all", async () => {
  await using ws = await CliWorkspace.create();
  for (let i = 0; i < 25; i++) await ws.write(`bucket/d/f${i}.txt`, `${i}\n`);
  // A file where every key needs the directory d: one cause, 25 failures.
  await ws.write("out/d", "in the way");
  const args = ["mirror", ws.bucket, "out", "--state", "s.db"];
  const failureLines = (stderr: string) =>
    stderr.split("\n").filter((l) => l.startsWith(`vc: mirror: ${ws.path("out")}/d/`));
  const more = "vc: ... and 5 more failures (--json lists them all)";

  const once = await ws.run(args);
  assertEquals(once.code, 1, once.stderr);
  assertEquals(failureLines(once.stderr).length, 20, once.stderr);
  const tail = once.stderr.trimEnd().split("\n").slice(-2);
  // Every file failed: nothing was mirrored (not "the rest was mirrored").
  assertEquals(tail, [more, "vc: mirror: 25 failed; nothing was mirrored"]);
  const json = await ws.run([...args, "--json"]);
  assertEquals(json.code, 1, json.stderr);
  assertEquals(JSON.parse(json.stdout).failed.length, 25);
  assertEquals(failureLines(json.stderr).length, 20, json.stderr);

  // --watch: each pass's failures are capped alike; its JSON line has them all.
  const watched = await watchUntil(
    ws,
    [...args, "--watch", "--json"],
    (stderr) => stderr.includes(more),
  );
  assertEquals(watched.code, 0, watched.stderr);
  assertEquals(failureLines(watched.stderr).length % 20, 0, watched.stderr);
  assertStringIncludes(watched.stderr, more);
  const pass = JSON.parse(watched.stdout.split("\n")[0]!);
  assertEquals([pass.kind, pass.failed.length], ["initial", 25]);
});

Deno.test("vc mirror --delete: a real run names each key it deleted (text and --json), both directions and per --watch batch", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/keep.txt", "k");
  await ws.write("data/old one.txt", "o");
  await ws.write("data/sub/gone.txt", "g");
  const up = ["mirror", "data", ws.bucket, "--state", "up.db"];
  assertEquals((await ws.run(up)).code, 0);
  await Deno.remove(ws.path("data/old one.txt"));
  await Deno.remove(ws.path("data/sub"), { recursive: true });
  const del = await ws.run([...up, "--delete"]);
  assertEquals(del.code, 0, del.stderr);
  // Before: only "2 deleted", the keys named nowhere (only a dry run listed them).
  assertEquals(
    del.stdout.split("\n").filter((l) => l.startsWith("deleted  ")).sort(),
    ["deleted  old one.txt", "deleted  sub/gone.txt"],
  );
  assertStringIncludes(del.stdout, "2 deleted");

  // --json carries the same keys; a run that deletes nothing has none.
  await ws.write("bucket/stray.bin", "s");
  const json = (await ws.run([...up, "--delete", "--json"])).json<{ deletedKeys: string[] }>();
  assertEquals(json.deletedKeys, ["stray.bin"]);
  const none = (await ws.run([...up, "--delete", "--json"])).json<{ deletedKeys: string[] }>();
  assertEquals(none.deletedKeys, []);
  // --quiet stays silent.
  await ws.write("bucket/stray2.bin", "s");
  const quiet = await ws.run([...up, "--delete", "--quiet"]);
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);

  // Store → local: the local files deleted are named by key too.
  const down = ["mirror", ws.bucket, "restored", "--state", "down.db"];
  assertEquals((await ws.run(down)).code, 0);
  await ws.write("restored/extra/local.txt", "l");
  const downDel = await ws.run([...down, "--delete"]);
  assertEquals(downDel.code, 0, downDel.stderr);
  assertStringIncludes(downDel.stdout, "deleted  extra/local.txt\n");

  // --watch: each batch names its deletes on stderr.
  const watched = await watchUntil(
    ws,
    ["mirror", "data", ws.bucket, "--watch", "--delete", "--debounce", "100ms", "--state", "up.db"],
    (stderr) => stderr.includes("deleted  keep.txt"),
    {},
    () => Deno.remove(ws.path("data/keep.txt")),
  );
  assertEquals(watched.code, 0, watched.stderr);
  assertStringIncludes(watched.stderr, "deleted  keep.txt\n");
});

Deno.test("vc mirror --watch store → local: a key no file can have is said once, not again at every full pass", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "p/a//b.txt", "empty segment");
  await fake.putObject("b", "p/ok.txt", "ok");
  const passes = (s: string) => s.split("\n").filter((l) => /^(initial|reconcile): /.test(l));
  let result = { code: -1, stderr: "" };
  await withProcessEnv(fake.env, async () => {
    result = await watchUntil(
      ws,
      ["mirror", "s3://b/p", "out", "--watch", "--reconcile-interval", "1s", "--state", "s.db"],
      (stderr) => passes(stderr).length >= 3,
      fake.env,
    );
  });
  assertEquals(result.code, 0, result.stderr);
  assert(passes(result.stderr).length >= 3, result.stderr);
  const said = result.stderr.split("\n").filter((l) => l.includes("a//b.txt"));
  assertEquals(said, [
    "vc: mirror: s3://b/p/a//b.txt: not written: key has an empty path segment; rename the " +
    "object in the store, or leave it out with --exclude",
  ], result.stderr);
  // Each pass still counts it.
  assertStringIncludes(passes(result.stderr)[2]!, "1 failed");
  assertEquals(await ws.read("out/ok.txt"), "ok");
});

Deno.test("vc mirror --watch store → local: a key no file can have is said again once its object came back after a pass without it", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  await fake.putObject("b", "p/a//b.txt", "empty segment");
  await fake.putObject("b", "p/ok.txt", "ok");
  const said = (s: string) => s.split("\n").filter((l) => l.includes("a//b.txt: not written"));
  const passes = (s: string) => s.split("\n").filter((l) => /^(initial|reconcile): /.test(l));
  // Said, then the object goes; once a pass no longer fails it, it comes back.
  let phase: "said" | "gone" | "back" = "said";
  let change: Promise<unknown> = Promise.resolve();
  let result = { code: -1, stderr: "" };
  await withProcessEnv(fake.env, async () => {
    result = await watchUntil(
      ws,
      ["mirror", "s3://b/p", "out", "--watch", "--reconcile-interval", "1s", "--state", "s.db"],
      (stderr) => {
        if (phase === "said" && said(stderr).length === 1 && passes(stderr).length >= 1) {
          phase = "gone";
          change = fetch(`${fake.url}/b/p/a//b.txt`, { method: "DELETE" }).then((r) =>
            r.body?.cancel()
          );
        } else if (phase === "gone" && passes(stderr).some((l) => !l.includes("failed"))) {
          phase = "back";
          change = change.then(() => fake.putObject("b", "p/a//b.txt", "again"));
        }
        return phase === "back" && said(stderr).length >= 2;
      },
      fake.env,
    );
  });
  await change;
  assertEquals(result.code, 0, result.stderr);
  assertEquals(phase, "back", result.stderr);
  assertEquals(said(result.stderr).length, 2, result.stderr);
});

Deno.test("vc mirror --watch store → local: an archived (Glacier) object is said once, not again at every full pass", async () => {
  let requestId = 0;
  const lastModified = "Fri, 04 Dec 2026 10:00:00 GMT";
  // S3 as it answers for an archived object: listed, but its GET refused
  // with 403 InvalidObjectState (a new request id each time).
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const bucket = url.pathname === "/bkt" || url.pathname === "/bkt/";
    if (req.method === "GET" && bucket && url.searchParams.has("list-type")) {
      const item = (key: string, etag: string, size: number, storageClass: string) =>
        `<Contents><Key>${key}</Key><LastModified>2026-12-04T10:00:00.000Z</LastModified>` +
        `<ETag>"${etag}"</ETag><Size>${size}</Size><StorageClass>${storageClass}</StorageClass></Contents>`;
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name>` +
          `<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
          item("p/cold.bin", "e20523853d6733721071c2a4e95c9c60", 4, "GLACIER") +
          item("p/ok.txt", "444bcb3a3fcf8389296c49467f27e1d6", 2, "STANDARD") +
          `</ListBucketResult>`,
        { headers: { "content-type": "application/xml" } },
      );
    }
    if (req.method === "GET" && url.pathname === "/bkt/p/ok.txt") {
      return new Response("ok", {
        headers: { etag: '"444bcb3a3fcf8389296c49467f27e1d6"', "last-modified": lastModified },
      });
    }
    if (req.method === "GET" && url.pathname === "/bkt/p/cold.bin") {
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidObjectState</Code>` +
          `<Message>The operation is not valid for the object's storage class</Message>` +
          `<StorageClass>GLACIER</StorageClass><RequestId>REQ${++requestId}</RequestId></Error>`,
        { status: 403, headers: { "content-type": "application/xml" } },
      );
    }
    return new Response(null, { status: 404 });
  });
  try {
    await using ws = await CliWorkspace.create();
    const env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      VC_S3_PATH_STYLE: "1",
    };
    const passes = (s: string) => s.split("\n").filter((l) => /^(initial|reconcile): /.test(l));
    let result = { code: -1, stderr: "" };
    await withProcessEnv(env, async () => {
      result = await watchUntil(
        ws,
        ["mirror", "s3://bkt/p", "out", "--watch", "--reconcile-interval", "1s", "--state", "s.db"],
        (stderr) => passes(stderr).length >= 3,
        env,
      );
    });
    assertEquals(result.code, 0, result.stderr);
    assert(passes(result.stderr).length >= 3, result.stderr);
    assert(requestId >= 3, `tried at every pass (a restore makes it readable): ${requestId}`);
    const said = result.stderr.split("\n").filter((l) => l.includes("cold.bin"));
    assertEquals(said.length, 1, result.stderr);
    assertStringIncludes(said[0]!, "archived (storage class GLACIER)");
    // Each pass still counts it.
    assertStringIncludes(passes(result.stderr)[2]!, "1 failed");
    assertEquals(await ws.read("out/ok.txt"), "ok");
  } finally {
    await server.shutdown();
  }
});
