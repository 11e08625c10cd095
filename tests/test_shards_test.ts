/**
 * `deno task test` runs the suite through `scripts/test_shards.ts`, several
 * `deno test` processes at once: a failure in any batch must fail the whole
 * run (else CI would pass with failing tests), and only test files are run.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { DENO_DIR } from "./cli_process.ts";
import {
  makeSharedTempDir,
  runDenoUnprivileged,
  UNPRIVILEGED_UNAVAILABLE,
} from "./unprivileged.ts";

const SCRIPT = fileURLToPath(new URL("../scripts/test_shards.ts", import.meta.url));
const MIRROR = new URL("../src/mirror/mirror.ts", import.meta.url).href;

async function shards(
  dir: string,
  env: Record<string, string> = {},
  flags: string[] = [],
): Promise<{ code: number; out: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--jobs", "2", ...flags, dir],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return { code: out.code, out: stdout + new TextDecoder().decode(out.stderr), stdout };
}

Deno.test("test shards: a failing file in any batch fails the run and is named; other modules are not run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_" });
  try {
    // More files than one batch holds, so they land in several processes.
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(join(dir, `p${i}_test.ts`), `Deno.test("p${i}", () => {});\n`);
    }
    await Deno.writeTextFile(
      join(dir, "bad_test.ts"),
      `Deno.test("bad", () => { throw new Error("boom from bad"); });\n`,
    );
    // Not a test module: running it would fail the run.
    await Deno.writeTextFile(join(dir, "helper.ts"), `throw new Error("helper was run");\n`);
    const failed = await shards(dir);
    assertEquals(failed.code, 1, failed.out);
    assertStringIncludes(failed.out, "boom from bad");
    // The failed file is named, not the passing files of its batch.
    const listed = failed.stdout.slice(failed.stdout.indexOf("failed files:"));
    assertStringIncludes(listed, "bad_test.ts");
    assert(!/p\d+_test\.ts/.test(listed), listed);
    assert(!failed.out.includes("helper was run"), failed.out);
    // Each batch's own summary is printed (CI adds them up): 12 passed, 1 failed in all.
    const passed = [...failed.out.matchAll(/^(?:ok|FAILED) \| (\d+) passed/gm)]
      .reduce((n, m) => n + Number(m[1]), 0);
    assertEquals(passed, 12, failed.out);

    await Deno.remove(join(dir, "bad_test.ts"));
    const ok = await shards(dir);
    assertEquals(ok.code, 0, ok.out);
    assertStringIncludes(ok.out, "all batches passed: 12 files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: every batch shares one run directory, removed when the run ends (one a killed run left, by the next)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_run_dir_" });
  try {
    // The runner's TMPDIR, holding the run directory of a run killed a minute ago.
    const tmp = join(dir, "tmp");
    const killed = join(tmp, "vc_test_run_killed");
    await Deno.mkdir(killed, { recursive: true });
    await Deno.writeTextFile(join(killed, ".vc-in-use"), "");
    const past = new Date(Date.now() - 60_000);
    await Deno.utime(join(killed, ".vc-in-use"), past, past);
    await Deno.mkdir(join(killed, "tmp_x", "vc_e2e_half_done"), { recursive: true });
    const tests = join(dir, "tests");
    await Deno.mkdir(tests);
    // More files than one batch holds: each says where the run directory is
    // and leaves a file there that the others can see.
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(
        join(tests, `r${i}_test.ts`),
        `Deno.test("r${i}", () => {
          const runDir = Deno.env.get("VC_TEST_RUN_DIR");
          if (!runDir) throw new Error("no VC_TEST_RUN_DIR");
          Deno.writeTextFileSync(runDir + "/r${i}", "");
          // Only the files the tests left: the batches' TMPDIRs are there too.
          const left = Deno.readDirSync(runDir).filter((e) => /^r\\d+$/.test(e.name));
          console.log("run dir: " + runDir + " holds " + left.toArray().length);
        });\n`,
      );
    }
    const run = await shards(tests, { TMPDIR: tmp });
    assertEquals(run.code, 0, run.out);
    assertEquals(
      [...Deno.readDirSync(tmp)],
      [],
      "the killed run's directory and this run's are gone",
    );
    const seen = [...run.out.matchAll(/^run dir: (\S+) holds (\d+)$/gm)];
    assertEquals(seen.length, 12, run.out);
    assertEquals(new Set(seen.map((m) => m[1])).size, 1, "one directory for the whole run");
    // The last file run sees the files of every batch before it.
    assertEquals(Math.max(...seen.map((m) => Number(m[2]))), 12, run.out);
    assertThrows(() => Deno.statSync(seen[0]![1]!), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: the files of a batch run in one worker, under a heading that names them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_one_worker_" });
  try {
    // Each file counts itself in a global of its worker; files run in workers
    // of their own would each count 1.
    for (let i = 0; i < 3; i++) {
      await Deno.writeTextFile(
        join(dir, `w${i}_test.ts`),
        `const g = globalThis as { seen?: number };
        g.seen = (g.seen ?? 0) + 1;
        Deno.test("w${i}", () => console.log("w${i} sees " + g.seen + " files in its worker"));\n`,
      );
    }
    const run = await shards(dir);
    assertEquals(run.code, 0, run.out);
    const seen = [...run.out.matchAll(/^w\d sees (\d+) files in its worker$/gm)].map((m) => m[1]);
    assertEquals(seen, ["3", "3", "3"], run.out);
    const heading = run.out.split("\n").find((line) => line.startsWith("batch 1: "));
    assert(heading, run.out);
    for (let i = 0; i < 3; i++) assertStringIncludes(heading, `w${i}_test.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: each batch has a TMPDIR of its own (mode 1777); what a batch leaves there fails it, named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_tmpdir_" });
  try {
    // Two batches: one file of the first leaks a temp dir and a file, the
    // second batch cleans up after itself.
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(
        join(dir, `t${String(i).padStart(2, "0")}_test.ts`),
        `Deno.test("t${i}", async () => {
          const tmp = Deno.env.get("TMPDIR")!;
          console.log("tmpdir: " + tmp + " mode " + (Deno.statSync(tmp).mode! & 0o7777).toString(8));
          const made = await Deno.makeTempDir({ prefix: "t${i}_" });
          if (!made.startsWith(tmp + "/")) throw new Error(made + " is not in " + tmp);
          await Deno.remove(made);
        });\n`,
      );
    }
    // The largest file, so it is in the first batch with seven others.
    await Deno.writeTextFile(
      join(dir, "leaky_test.ts"),
      `Deno.test("leaky", async () => {
        await Deno.makeTempDir({ prefix: "forgotten_dir_" });
        await Deno.makeTempFile({ prefix: "forgotten_file_" });
      });
      // padding so this is the largest file ${"x".repeat(400)}\n`,
    );
    const run = await shards(dir);
    assertEquals(run.code, 1, run.out);
    const seen = [...run.out.matchAll(/^tmpdir: (\S+) mode (\d+)$/gm)];
    assertEquals(seen.length, 12, run.out);
    assertEquals(new Set(seen.map((m) => m[2])), new Set(["1777"]), run.out);
    assertEquals(new Set(seen.map((m) => m[1])).size, 2, "one TMPDIR for each of the two batches");
    // The leak names what was left and the files of its batch, and fails
    // those files, the others of the run passing.
    const leak = run.stdout.slice(run.stdout.indexOf("LEAK: the batch left 2 entries"));
    assert(/^ {2}forgotten_dir_\w+\/$/m.test(leak), leak);
    assert(/^ {2}forgotten_file_\w+$/m.test(leak), leak);
    assertStringIncludes(leak, "leaky_test.ts");
    const listed = run.stdout.slice(run.stdout.indexOf("failed files:"));
    assertStringIncludes(listed, "leaky_test.ts");
    assertEquals(listed.trim().split("\n").length, 1 + 8, listed);

    await Deno.remove(join(dir, "leaky_test.ts"));
    const clean = await shards(dir);
    assertEquals(clean.code, 0, clean.out);
    assert(!clean.out.includes("LEAK"), clean.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: a batch's HOME is its own, the user's XDG cache dir unset; a mirror run with no cache dir leaves nothing in the user's and fails its batch, named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_home_" });
  try {
    const tests = join(dir, "tests");
    await Deno.mkdir(tests);
    // The user running the suite, with a cache dir of their own.
    const user = join(dir, "user");
    await Deno.mkdir(join(user, "xdg-cache"), { recursive: true });
    await Deno.writeTextFile(
      join(tests, "home_test.ts"),
      `Deno.test("home", () => {
        console.log("home: " + Deno.env.get("HOME") + " xdg: " + Deno.env.get("XDG_CACHE_HOME"));
      });\n`,
    );
    // A test's mirror given no cacheDir: its state file goes to vc's default cache dir.
    await Deno.writeTextFile(
      join(tests, "default_cache_test.ts"),
      `import { mirror } from ${JSON.stringify(MIRROR)};
      Deno.test("mirror with the default cache dir", async () => {
        const src = await Deno.makeTempDir();
        const dst = await Deno.makeTempDir();
        try {
          await Deno.writeTextFile(src + "/f.txt", "f");
          await mirror({ sources: [src], target: "file://" + dst });
        } finally {
          await Deno.remove(src, { recursive: true });
          await Deno.remove(dst, { recursive: true });
        }
      });\n`,
    );
    const run = await shards(tests, {
      DENO_DIR,
      HOME: user,
      XDG_CACHE_HOME: join(user, "xdg-cache"),
    });
    assertEquals(run.code, 1, run.out);
    const [, home, xdg] = /^home: (\S+) xdg: (\S+)$/m.exec(run.out) ?? [];
    assert(home !== undefined && home !== user && home.endsWith("/home"), run.out);
    assertEquals(xdg, "undefined", run.out);
    const leak = run.stdout.slice(run.stdout.indexOf("LEAK: the batch left"));
    assert(/^ {2}home\/\.cache\/vc\/mirror\/[0-9a-f]{32}\.sqlite$/m.test(leak), leak);
    assertStringIncludes(leak, "default_cache_test.ts");
    const userFiles = [...Deno.readDirSync(user)].map((e) => e.name);
    assertEquals(userFiles, ["xdg-cache"], "nothing new in the user's HOME");
    assertEquals([...Deno.readDirSync(join(user, "xdg-cache"))], [], "nor in their cache dir");

    await Deno.remove(join(tests, "default_cache_test.ts"));
    const clean = await shards(tests, { DENO_DIR, HOME: user });
    assertEquals(clean.code, 0, clean.out);
    assert(!clean.out.includes("LEAK"), clean.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: a type error fails the run before any batch; --no-check (for a caller that checked) skips that check", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_" });
  try {
    await Deno.writeTextFile(
      join(dir, "typed_test.ts"),
      `const n: number = "not a number";\nDeno.test("typed", () => console.log("typed ran", n));\n`,
    );
    const checked = await shards(dir);
    assertEquals(checked.code, 1, checked.out);
    assertStringIncludes(checked.out, "TS2322");
    assert(!checked.out.includes("typed ran"), checked.out);

    const unchecked = await shards(dir, {}, ["--no-check"]);
    assertEquals(unchecked.code, 0, unchecked.out);
    assertStringIncludes(unchecked.out, "typed ran");
    assertStringIncludes(unchecked.out, "all batches passed: 1 file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards and doc tests: a bad --jobs is one line naming the value, exit 2, nothing run", async () => {
  for (const script of ["test_shards.ts", "doc_tests.ts"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        fileURLToPath(new URL(`../scripts/${script}`, import.meta.url)),
        "--jobs",
        "0",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, stderr);
    assertEquals(stderr, `${script.replace(".ts", "")}: --jobs takes a whole number ≥ 1, got 0\n`);
    assertEquals(out.stdout.length, 0);
  }
});

Deno.test("test shards: a file that calls Deno.exit outside a test fails its batch instead of silently ending the batch's other files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_exit_" });
  try {
    // Deno ends the whole worker, and the batch's files share one: their
    // tests never run, and Deno still reports `ok | 0 passed` with exit code 0.
    for (let i = 0; i < 3; i++) {
      await Deno.writeTextFile(
        join(dir, `e${i}_test.ts`),
        `Deno.test("e${i}", () => { throw new Error("e${i} ran and failed"); });\n`,
      );
    }
    await Deno.writeTextFile(join(dir, "exit_test.ts"), `Deno.exit(0);\n`);
    const exited = await shards(dir);
    assertEquals(exited.code, 1, exited.out);
    assertStringIncludes(exited.out, "called Deno.exit outside any test");
    const listed = exited.stdout.slice(exited.stdout.indexOf("failed files:"));
    assertStringIncludes(listed, "exit_test.ts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: a run in which no test ran (a --filter matching none) fails instead of reporting all passed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_none_" });
  try {
    await Deno.writeTextFile(join(dir, "a_test.ts"), `Deno.test("alpha", () => {});\n`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, "--filter", "no such test", dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, text);
    assertStringIncludes(text, "no test ran");

    // A file whose tests are all ignored (on this platform, say) is no mistake.
    await Deno.writeTextFile(
      join(dir, "a_test.ts"),
      `Deno.test({ name: "alpha", ignore: true, fn() {} });\n`,
    );
    const ignored = await shards(dir);
    assertEquals(ignored.code, 0, ignored.out);
    assertStringIncludes(ignored.out, "all batches passed: 1 file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: --help prints the usage and runs nothing", async () => {
  // `deno task test --help` passed --help on to every `deno test` batch and
  // so ran the whole suite, minutes, for a newcomer asking how to run one file.
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_help_" });
  try {
    await Deno.writeTextFile(
      join(dir, "boom_test.ts"),
      `Deno.test("boom", () => { throw new Error("boom ran"); });\n`,
    );
    for (const flag of ["--help", "-h"]) {
      const { code, out, stdout } = await shards(dir, {}, [flag]);
      assertEquals(code, 0, out);
      assertStringIncludes(stdout, "Usage: deno task test [--jobs N]");
      assert(!out.includes("boom"), out);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: a path that does not exist is one line naming it, exit 2, nothing run", async () => {
  // `deno task test tests/x_tset.ts` ended in an uncaught NotFound and its stack.
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_missing_" });
  try {
    await Deno.writeTextFile(join(dir, "a_test.ts"), `Deno.test("alpha", () => {});\n`);
    const missing = join(dir, "a_tset.ts");
    const { code, out, stdout } = await shards(missing);
    assertEquals(code, 2, out);
    assertEquals(stdout, "");
    assertStringIncludes(out, `test_shards: ${missing} does not exist`);
    assert(!out.includes("Uncaught") && !out.includes("    at "), out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: a deno test flag's value given apart (--reporter dot, --seed 7) is no path", async () => {
  // The usage says other flags go to every deno test; `--reporter dot` had
  // its value taken for a PATH: "dot does not exist", nothing run.
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_flag_value_" });
  try {
    await Deno.writeTextFile(join(dir, "a_test.ts"), `Deno.test("alpha", () => {});\n`);
    for (const flags of [["--reporter", "dot"], ["--seed", "7"]]) {
      const { code, out } = await shards(dir, {}, ["--no-check", ...flags]);
      assertEquals(code, 0, out);
      assert(!out.includes("does not exist"), out);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "test shards: a directory a test left unreadable in its batch's HOME is named as a leak; the runner goes on",
  // Root reads any directory: the runner runs as nobody (see tests/unprivileged.ts).
  ignore: UNPRIVILEGED_UNAVAILABLE !== undefined,
  fn: async () => {
    const dir = await makeSharedTempDir("vc_shards_unreadable_home_");
    try {
      const tests = join(dir, "tests");
      const tmp = join(dir, "tmp");
      await Deno.mkdir(tests);
      await Deno.mkdir(tmp);
      await Deno.chmod(tmp, 0o1777);
      await Deno.writeTextFile(
        join(tests, "closed_test.ts"),
        `Deno.test("closed", async () => {
          const d = Deno.env.get("HOME") + "/.cache/closed";
          await Deno.mkdir(d + "/inner", { recursive: true });
          await Deno.chmod(d, 0o000);
        });\n`,
      );
      await Deno.chmod(tests, 0o755);
      await Deno.chmod(join(tests, "closed_test.ts"), 0o644);
      const run = await runDenoUnprivileged(
        ["run", "-A", SCRIPT, "--no-check", "--jobs", "1", tests],
        { cwd: dir, env: { TMPDIR: tmp } },
      );
      const out = run.stdout + run.stderr;
      assertEquals(run.code, 1, out);
      assert(!out.includes("Uncaught"), out);
      const leak = run.stdout.slice(run.stdout.indexOf("LEAK: the batch left"));
      assert(/^ {2}home\/\.cache\/closed\/ \(not readable: /m.test(leak), leak);
      assertStringIncludes(leak, "closed_test.ts");
    } finally {
      await new Deno.Command("chmod", { args: ["-R", "u+rwx", dir] }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
