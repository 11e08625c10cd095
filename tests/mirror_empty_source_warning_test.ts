/**
 * `vc mirror s3://b/typo DIR` (no --delete) exited 0 with "0 downloaded" and
 * no hint that the prefix holds nothing; so did `vc mirror EMPTY_DIR
 * s3://b/p`. It still exits 0 (nothing failed; an empty source may be
 * meant), but warns naming the source, with a near prefix or directory its
 * parent holds ("did you mean"). A source whose objects the filters leave
 * out is not empty: no warning.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

Deno.test("vc mirror s3://bkt/PREFIX DIR: a prefix with no objects is named, with a near one", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
  await withProcessEnv(env, async () => {
    await ws.write("up/reports/2024/a.csv", "a");
    await ws.write("up/data/x.txt", "x");
    const up = await ws.run(["mirror", "up", "s3://bkt", "--state", "up.db"], env);
    assertEquals(up.code, 0, up.stderr);
    const run = (...args: string[]) => ws.run(["mirror", ...args, "--state", "s.db"], env);
    const nested = await run("s3://bkt/reports/2025", "down");
    assertEquals(nested.code, 0, nested.stderr);
    assertStringIncludes(
      nested.stderr,
      "warning: s3://bkt/reports/2025 holds no objects, so nothing was mirrored " +
        "(a mistyped prefix?); did you mean s3://bkt/reports/2024?",
    );
    const top = await run("s3://bkt/dat", "down");
    assertStringIncludes(top.stderr, "s3://bkt/dat holds no objects");
    assertStringIncludes(top.stderr, "did you mean s3://bkt/data?");
    // --source-prefix names the prefix listed.
    const prefixed = await run("s3://bkt/reports", "down", "--source-prefix", "2023");
    assertStringIncludes(prefixed.stderr, "did you mean s3://bkt/reports/2024?");
    // Nothing near: the warning alone.
    const far = await run("s3://bkt/zzzzzzzz", "down");
    assertStringIncludes(far.stderr, "s3://bkt/zzzzzzzz holds no objects");
    assertEquals(far.stderr.includes("did you mean"), false, far.stderr);
    // With --json the document says it too.
    const json = await run("s3://bkt/dat", "down", "--json");
    assertEquals(JSON.parse(json.stdout).emptySources.length, 1, json.stdout);
    // --delete refuses (naming the prefix) and adds the near one.
    await ws.write("down/keep.txt", "k");
    const refused = await run("s3://bkt/dat", "down", "--delete");
    assertEquals(refused.code, 1, refused.stderr);
    assertStringIncludes(refused.stderr, "s3://bkt/dat: did you mean s3://bkt/data?");
    // A prefix that holds objects, all left out by the filter: no warning.
    const filtered = await run("s3://bkt/data", "down2", "--filter", "^nothing$");
    assertEquals(filtered.code, 0, filtered.stderr);
    assertEquals(filtered.stderr.includes("holds no objects"), false, filtered.stderr);
    const plain = await run("s3://bkt/data", "down3");
    assertEquals(plain.stderr.includes("warning"), false, plain.stderr);
  });
});

Deno.test("vc mirror EMPTY_DIR s3://bkt/p: an empty source directory is named, with a near one", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
  await withProcessEnv(env, async () => {
    await ws.write("data/a.txt", "a");
    await Deno.mkdir(ws.path("dat"));
    const r = await ws.run(["mirror", "dat", "s3://bkt/p", "--state", "s.db"], env);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(
      r.stderr,
      `warning: ${ws.path("dat")} holds no files, so nothing was mirrored (a mistyped path?); ` +
        `did you mean ${ws.path("data")}?`,
    );
    // A missing one is refused (exit 1), with the near one too.
    const missing = await ws.run(["mirror", "datta", "s3://bkt/p", "--state", "s1.db"], env);
    assertEquals(missing.code, 1, missing.stderr);
    assertStringIncludes(missing.stderr, `mirror source ${ws.path("datta")} cannot be read`);
    assertStringIncludes(missing.stderr, `did you mean ${ws.path("data")}?`);
    const full = await ws.run(["mirror", "data", "s3://bkt/p", "--state", "s2.db"], env);
    assertEquals(full.stderr.includes("warning"), false, full.stderr);
  });
});

Deno.test("vc mirror file:///DIR DIR --source-prefix TYPO: an empty prefix of a directory store is named", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/data/a.txt", "a");
  const r = await ws.run([
    "mirror",
    `file://${ws.path("bucket")}`,
    "down",
    "--source-prefix",
    "dta",
    "--state",
    "s.db",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "dta holds no objects, so nothing was mirrored");
  assertStringIncludes(r.stderr, `did you mean file://${ws.path("bucket/data")}?`);
});

Deno.test("vc mirror EMPTY_DIR file:///T --delete: the warning says what --delete removed, not that nothing was mirrored", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  await ws.write("data/b.txt", "b");
  const target = `file://${ws.path("bucket")}`;
  const up = await ws.run(["mirror", "data", target, "--state", "s.db"]);
  assertEquals(up.code, 0, up.stderr);
  // The files moved away: the source is an empty directory now.
  await Deno.rename(ws.path("data"), ws.path("data2"));
  await Deno.mkdir(ws.path("data"));
  const plan = await ws.run(["mirror", "data", target, "--delete", "--dry-run", "--state", "s.db"]);
  assertStringIncludes(
    plan.stderr,
    `warning: ${ws.path("data")} holds no files: nothing would be uploaded, and --delete would ` +
      `remove 2 objects (a mistyped path?); did you mean ${ws.path("data2")}?`,
  );
  const r = await ws.run(["mirror", "data", target, "--delete", "--state", "s.db"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(
    r.stderr,
    `warning: ${ws.path("data")} holds no files: nothing was uploaded, and --delete removed 2 ` +
      `objects (a mistyped path?); did you mean ${ws.path("data2")}?`,
  );
  assertEquals(r.stderr.includes("nothing was mirrored"), false, r.stderr);
});
