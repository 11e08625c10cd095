/**
 * `vc mirror` into a target it cannot write: a `file://` store whose
 * directory is read-only (or immutable; root writes through `chmod 555`),
 * or under a regular file, and a store → local mirror into such a local
 * directory. Every file failed with its own line of the same words (200
 * files: 20 lines of one cause and "… and 180 more"), where an S3 key
 * refused every PUT was said in one line. One line now names the cause, the
 * first few paths, the count and what to do; failures of their own (a
 * directory of a different cause) stay apart.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { canMakeUnwritable, withUnwritableDir } from "./unwritable_dir.ts";

async function source(ws: CliWorkspace, files: number, dir = "data"): Promise<void> {
  for (let i = 0; i < files; i++) {
    await ws.write(`${dir}/f${String(i).padStart(3, "0")}.txt`, `${i}`);
  }
}

/** The `vc: mirror:` lines of `stderr` that report failures (not the summary). */
function failureLines(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) =>
    l.startsWith("vc: mirror: ") && !/: \d+ failed; /.test(l)
  );
}

for (const files of [1, 3, 200]) {
  Deno.test({
    name:
      `vc mirror DIR file://STORE, store directory unwritable, ${files} file(s): one line says it`,
    ignore: !canMakeUnwritable,
    async fn() {
      await using ws = await CliWorkspace.create();
      await source(ws, files);
      const store = ws.path("store");
      await Deno.mkdir(store);
      const run = await withUnwritableDir(
        store,
        () => ws.run(["mirror", "data", pathToFileURL(store).href, "--state", "s.db"]),
      );
      assertEquals(run.code, 1, run.stderr);
      const lines = failureLines(run.stderr);
      assertEquals(lines.length, 1, run.stderr);
      const line = lines[0]!;
      if (files === 1) {
        assertStringIncludes(line, ws.path("data/f000.txt"));
      } else {
        assertStringIncludes(line, `${files} paths (`);
        assertStringIncludes(line, ws.path("data/f000.txt"));
        if (files > 3) assertStringIncludes(line, `and ${files - 3} more)`);
        // The key of one file is not the cause of all of them.
        assertEquals(line.includes("put f0"), false, line);
      }
      assertStringIncludes(line, `write access to the store's directory ${store}`);
      assertStringIncludes(run.stderr, `vc: mirror: ${files} failed; nothing was mirrored`);
    },
  });
}

Deno.test("vc mirror DIR file://STORE, store directory below a regular file: refused once, no --exclude advice", async () => {
  await using ws = await CliWorkspace.create();
  await source(ws, 30);
  await ws.write("plain", "a file");
  const run = await ws.run(["mirror", "data", pathToFileURL(ws.path("plain/store")).href]);
  assertEquals(run.code, 1, run.stderr);
  // Before: 20 lines of "store root … cannot be made one: …; leave it out
  // with --exclude" (leaving files out does not help) and "… 10 more".
  assertEquals(run.stderr.trim().split("\n").length, 1, run.stderr);
  assertStringIncludes(
    run.stderr,
    `mirror target ${ws.path("plain/store")} cannot be made: ${ws.path("plain")} is a file`,
  );
  assertEquals(run.stderr.includes("--exclude"), false, run.stderr);
});

for (const files of [1, 3, 200]) {
  Deno.test({
    name:
      `vc mirror file://STORE DIR, local directory unwritable, ${files} file(s): one line says it`,
    ignore: !canMakeUnwritable,
    async fn() {
      await using ws = await CliWorkspace.create();
      await source(ws, files, "bucket/set");
      const down = ws.path("down");
      await Deno.mkdir(down);
      const run = await withUnwritableDir(
        down,
        () => ws.run(["mirror", `${ws.bucket}/set`, "down", "--state", "s.db"]),
      );
      assertEquals(run.code, 1, run.stderr);
      const lines = failureLines(run.stderr);
      assertEquals(lines.length, 1, run.stderr);
      const line = lines[0]!;
      assertStringIncludes(line, join(down, "f000.txt"));
      if (files > 1) assertStringIncludes(line, `${files} paths (`);
      if (files > 3) assertStringIncludes(line, `and ${files - 3} more)`);
      assertStringIncludes(line, `write access to ${down}`);
    },
  });
}

Deno.test({
  name:
    "vc mirror file://STORE DIR: two unwritable directories are two lines, a writable one is mirrored",
  ignore: !canMakeUnwritable,
  async fn() {
    await using ws = await CliWorkspace.create();
    await source(ws, 5, "bucket/set/a");
    await source(ws, 5, "bucket/set/b");
    await source(ws, 5, "bucket/set/c");
    for (const d of ["a", "b", "c"]) await Deno.mkdir(ws.path(`down/${d}`), { recursive: true });
    const run = await withUnwritableDir(
      ws.path("down/a"),
      () =>
        withUnwritableDir(
          ws.path("down/b"),
          () => ws.run(["mirror", `${ws.bucket}/set`, "down", "--state", "s.db"]),
        ),
    );
    assertEquals(run.code, 1, run.stderr);
    const lines = failureLines(run.stderr);
    assertEquals(lines.length, 2, run.stderr);
    assert(lines.some((l) => l.includes(`5 paths (${ws.path("down/a/f000.txt")}`)), run.stderr);
    assert(lines.some((l) => l.includes(`5 paths (${ws.path("down/b/f000.txt")}`)), run.stderr);
    assertEquals(await ws.read("down/c/f004.txt"), "4");
  },
});
