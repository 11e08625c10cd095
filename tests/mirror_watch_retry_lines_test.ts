/**
 * `vc mirror --watch` with the store failing: a batch tried again after a
 * failure (1 s, 2 s, 4 s, ...) said every failure line and the held-back
 * deletes line again at each retry, and no summary at all. Each failure is
 * said once; every retry gets one summary line saying they failed as before
 * and when they are tried again, also when several batches retry in turns.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { mirrorWatchLog } from "./cli_process.ts";

/** The files the watch's event batches uploaded, summed over its `events:` lines in `log`. */
function uploadedIn(log: string): number {
  return [...log.matchAll(/^events: mirror: (\d+) uploaded/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

/**
 * Runs `vc mirror data s3://b/w --watch` against a fake S3 server; `drive`
 * makes the changes and faults (`until` waits, bounded, for its stderr to
 * say something). Returns its stderr once stopped by SIGTERM.
 */
async function watchLog(
  drive: (
    ctx: {
      dir: string;
      fake: Awaited<ReturnType<typeof startFakeS3>>;
      stderr: () => string;
      until: (ok: () => boolean, tenths: number) => Promise<void>;
    },
  ) => Promise<void>,
  extraArgs: string[] = [],
): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_retry_lines_" }));
  await using fake = await startFakeS3({ buckets: ["b"] });
  try {
    await Deno.mkdir(join(dir, "data"));
    await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
    // A minute old: the initial pass uploads it, never leaves it for later as
    // still being written (a watch started within its 100 ms debounce of the
    // write did, and its upload then counted among the events' uploads).
    const minuteAgo = new Date(Date.now() - 60_000);
    await Deno.utime(join(dir, "data", "a.txt"), minuteAgo, minuteAgo);
    return await mirrorWatchLog(dir, ["data", "s3://b/w", ...extraArgs], async (run) => {
      assertStringIncludes(run.stderr(), "initial:");
      await drive({ dir, fake, stderr: run.stderr, until: run.until });
    }, fake.env);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "vc mirror --watch: a failure tried again is said once, each retry in one summary line",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    let data = "";
    const text = await watchLog(async ({ dir, fake, stderr, until }) => {
      data = join(dir, "data");
      fake.failNext(100_000, "internal", (t) => t.key === "w/b c.txt");
      await Deno.writeTextFile(join(data, "b c.txt"), "b");
      // The first attempt and two retries (after 1 s and 2 s).
      await until(() => (stderr().match(/^events: .*failed/gm) ?? []).length >= 3, 300);
      fake.clearFaults();
      await until(() => /^events: mirror: 1 uploaded/m.test(stderr()), 300);
    });
    const failures = text.split("\n").filter((l) => l.startsWith("vc: mirror: /"));
    assertEquals(failures.length, 1, text);
    assertStringIncludes(failures[0]!, `${join(data, "b c.txt")}: `);
    assertEquals((text.match(/nothing was deleted for that path/g) ?? []).length, 1, text);
    const retries = text.split("\n").filter((l) => /^events: .*failed/.test(l));
    assert(retries.length >= 3, text);
    assertStringIncludes(retries[0]!, "1 failed, tried again in 1s");
    assertStringIncludes(retries[1]!, "1 failed (all as said above), tried again in 2s");
    assertStringIncludes(text, "events: mirror: 1 uploaded (1 B)");
  },
});

Deno.test({
  name:
    "vc mirror --watch: a file changed while another waits out a store failure joins its retry, and their held-back deletes lines are not said again at each retry",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    const text = await watchLog(async ({ dir, fake, stderr, until }) => {
      fake.failNext(100_000, "internal", (t) => t.key === "w/b.txt" || t.key === "w/c.txt");
      const held = () => (stderr().match(/nothing was deleted for that path/g) ?? []).length;
      await Deno.writeTextFile(join(dir, "data", "b.txt"), "b");
      await until(() => held() >= 1, 300);
      // Half a second later: tried at once, it was a batch and a retry
      // schedule of its own; it waits for b.txt's retry (after 1 s).
      await new Promise((r) => setTimeout(r, 500));
      await Deno.writeTextFile(join(dir, "data", "c.txt"), "c");
      // The first failure, then the retries after 1 s (c.txt's first), 2 s and 4 s.
      await until(() => (stderr().match(/^events: .*failed/gm) ?? []).length >= 4, 300);
      fake.clearFaults();
      await until(
        () => uploadedIn(stderr()) >= 2,
        300,
      );
    });
    const failed = text.split("\n").filter((l) => /^events: .*failed/.test(l));
    assert(failed.length >= 4, text);
    assertStringIncludes(failed[1]!, "2 failed, tried again in 2s");
    assertStringIncludes(failed[2]!, "2 failed (all as said above), tried again in 4s");
    assertStringIncludes(text, "events: mirror: 2 uploaded (2 B)");
    // Said when each first failed (b.txt alone, then the two together), not at each retry.
    assertEquals((text.match(/ could not be mirrored;/g) ?? []).length <= 3, true, text);
  },
});

Deno.test({
  name:
    "vc mirror --watch: the store failing under a burst of changes is said in one line for them all, not a line per file, and all go up once it is back",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    const names = Array.from({ length: 24 }, (_, i) => `f${String(i).padStart(2, "0")}.txt`);
    const text = await watchLog(async ({ dir, fake, stderr, until }) => {
      fake.failNext(1_000_000, "internal", (t) => t.key?.startsWith("w/f") === true);
      for (const name of names) await Deno.writeTextFile(join(dir, "data", name), name);
      // Their first batch (or two, as the events came) and a retry of them all.
      await until(() => /^events: .*\(all as said above\), tried again/m.test(stderr()), 600);
      fake.clearFaults();
      await until(
        () => uploadedIn(stderr()) >= names.length,
        600,
      );
    });
    const uploaded = uploadedIn(text);
    assertEquals(uploaded, names.length, text);
    // One line for the cause they share (a batch's first attempt says it;
    // the events may have made two batches), naming a few of the paths.
    const lines = text.split("\n").filter((l) => l.startsWith("vc: mirror: ") && /500/.test(l));
    assert(lines.length >= 1 && lines.length <= 2, text);
    const counted = lines.map((l) => Number(/^vc: mirror: (\d+) paths \(/.exec(l)?.[1] ?? 1));
    // Each path is named; the first batch's again only when the second
    // batch met another error for it (ci1, at load 48: its HEAD failed, then
    // with the retry merged into the burst's batch, its PUT).
    const named = counted.reduce((a, b) => a + b, 0);
    const sayTwice = counted.length === 2 ? counted[0]! : 0;
    assert(named >= names.length && named <= names.length + sayTwice, text);
    // The first batch may hold one path (said as one: "tries it again"); the
    // line of a batch of several says them all in one.
    const several = lines.find((l) => /^vc: mirror: \d+ paths \(/.test(l));
    assert(several !== undefined, text);
    assertStringIncludes(several, "; the next run tries them again");
    assert(!text.includes("more failures (--json lists them all)"), text);
  },
});

Deno.test({
  name:
    "vc mirror --watch: full passes failing the same while the store is down say it once, then a short line each",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    const failedPasses = (text: string) =>
      (text.match(/^vc: mirror: mirror of .* stopped: LIST /gm) ?? []).length +
      (text.match(/^full pass: failed \(as said above\), tried again in 1s$/gm) ?? []).length;
    const text = await watchLog(async ({ fake, stderr, until }) => {
      fake.failNext(1_000_000, "internal", (t) => t.op === "ListObjectsV2");
      await until(() => failedPasses(stderr()) >= 3, 600);
      fake.clearFaults();
      await until(() => /^reconcile: mirror: /m.test(stderr()), 600);
    }, ["--reconcile-interval", "1s"]);
    assert(failedPasses(text) >= 3, text);
    const full = text.split("\n").filter((l) => / stopped: LIST /.test(l));
    assertEquals(full.length, 1, text);
    assertStringIncludes(full[0]!, "; tried again in 1s");
    assertStringIncludes(text, "full pass: failed (as said above), tried again in 1s");
    assertStringIncludes(text, "reconcile: mirror: ");
  },
});

Deno.test({
  name:
    "vc mirror --watch: files changed while the store is down wait for the outage's next retry, in one batch and one line, not a failure line and a retry schedule each",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    const names = ["n1.txt", "n2.txt", "n3.txt", "n4.txt"];
    const text = await watchLog(async ({ dir, fake, stderr, until }) => {
      fake.failNext(1_000_000, "internal", (t) => t.key?.startsWith("w/n") === true);
      await Deno.writeTextFile(join(dir, "data", names[0]!), "1");
      await until(() => /^events: .*failed, tried again in 1s/m.test(stderr()), 300);
      // Saved one after another during the outage, each a batch of its own
      // if tried at once (more than the 100 ms that join batches apart).
      for (const name of names.slice(1)) {
        await new Promise((r) => setTimeout(r, 250));
        await Deno.writeTextFile(join(dir, "data", name), name);
      }
      await until(() => (stderr().match(/^events: .*failed/gm) ?? []).length >= 3, 300);
      fake.clearFaults();
      await until(
        () => uploadedIn(stderr()) >= names.length,
        600,
      );
    });
    const uploaded = uploadedIn(text);
    assertEquals(uploaded, names.length, text);
    // n1's first failure, then the three saved since, said together at the
    // outage's retry (before: a line and a retry schedule each).
    const lines = text.split("\n").filter((l) => l.startsWith("vc: mirror: ") && /500/.test(l));
    assertEquals(lines.length, 2, text);
    assert(/^vc: mirror: [34] paths \(/.test(lines[1]!), text);
  },
});
