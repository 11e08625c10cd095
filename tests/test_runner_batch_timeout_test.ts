/**
 * The test runners (`scripts/test_shards.ts`, `scripts/doc_tests.ts`) bound
 * each `deno test` process by `TEST_BATCH_TIMEOUT`: a test that waits
 * forever is killed with its processes, named, and the run goes on and
 * fails, instead of holding CI until its own limit with no word of which
 * test hung. The fixtures are written to a temp dir, so the suite never
 * picks them up.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileExamples } from "../scripts/doc_examples.ts";
import { lastStartedTest } from "../scripts/deno_test_process.ts";
import { alive, SHARDS } from "./runner_processes.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";

const DOC_TESTS = fileURLToPath(new URL("../scripts/doc_tests.ts", import.meta.url));

/**
 * The limit the fixtures run under: a batch of one trivial file ends in a
 * second or two, far below it; the hung one is killed at it.
 */
const LIMIT_SECONDS = "10";

async function runner(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    env: { NO_COLOR: "1", ...env },
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
    // Against a runner without the bound, which would wait forever.
    signal: AbortSignal.timeout(180_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

/** A test that starts two children (one in its group, one detached as `pg_ctl` does) and hangs. */
const HANGING_FILE = `
Deno.test("finishes before the hang", () => {});
Deno.test("waits for a message that never comes", async () => {
  const pids = Deno.env.get("HANG_PIDS_DIR")!;
  const forever = ["eval", "setInterval(() => {}, 1000)"];
  const inGroup = new Deno.Command(Deno.execPath(), { args: forever }).spawn();
  const detached = new Deno.Command(Deno.execPath(), { args: forever, detached: true }).spawn();
  Deno.writeTextFileSync(pids + "/children", inGroup.pid + " " + detached.pid);
  console.log("hanging now");
  await new Promise(() => {});
  // A padding comment, so this is the largest file, run in the first batch.
  // ${"x".repeat(400)}
});
`;

Deno.test({
  name:
    "test runner: a batch past TEST_BATCH_TIMEOUT is killed with its children, the hung test named; the other batch passes and the run fails",
  ignore: Deno.build.os !== "linux", // children's liveness is read from /proc
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_timeout_" });
    try {
      const tests = join(dir, "tests");
      const pids = join(dir, "pids");
      await Deno.mkdir(tests);
      await Deno.mkdir(pids);
      await Deno.writeTextFile(join(tests, "hang_test.ts"), HANGING_FILE);
      // Eight more: seven share the hung file's batch, one is a batch of its own.
      for (let i = 0; i < 8; i++) {
        await Deno.writeTextFile(join(tests, `p${i}_test.ts`), `Deno.test("p${i}", () => {});\n`);
      }
      const { code, out } = await runner([SHARDS, "--jobs", "2", "--no-check", tests], {
        TEST_BATCH_TIMEOUT: LIMIT_SECONDS,
        HANG_PIDS_DIR: pids,
      });
      assertEquals(code, 1, out);
      assertStringIncludes(out, `TIMEOUT: batch 1 ran past ${LIMIT_SECONDS} s`);
      assertStringIncludes(out, `the test running was "waits for a message that never comes"`);
      // Found by its name in the file's text, not all eight of the batch.
      assertMatch(out, /"waits for a message that never comes", in:\n {2}\S*hang_test\.ts\n/);
      // The detached child is killed by its environment (the batch's TMPDIR).
      assertStringIncludes(out, "killed too, having left the group");
      const [inGroup, detached] = (await Deno.readTextFile(join(pids, "children")))
        .split(" ").map(Number);
      assert(!alive(inGroup!), `child ${inGroup} of the killed batch still runs`);
      assert(!alive(detached!), `detached child ${detached} of the killed batch still runs`);
      // A summary line .ci/run adds up: the finished test passed, the hung one failed.
      assertMatch(out, /^FAILED \| 1 passed \| 1 failed \| 0 ignored \(batch 1 killed/m);
      // The other batch ran and passed.
      assertMatch(out, /^batch 2: \S*p\d_test\.ts \(\d+ s\)\nrunning 1 test/m);
      assertMatch(out, /^ok \| 1 passed \| 0 failed/m);
      const listed = out.slice(out.indexOf("failed files:"));
      assertStringIncludes(listed, "hang_test.ts");
      assert(!/p\d_test\.ts/.test(listed), out);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("test runner: a hung doc example is killed at TEST_BATCH_TIMEOUT and named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_doc_runner_timeout_" });
  try {
    const source = [
      "/**",
      " * @example",
      " * ```ts",
      " * setInterval(() => {}, 1000);",
      " * await new Promise(() => {});",
      " * ```",
      " */",
      "export const x = 1;",
      "",
    ].join("\n");
    await Deno.writeTextFile(join(dir, "lib.ts"), source);
    const [example] = fileExamples("lib.ts", source);
    const name = `lib.ts#${example!.start}-${example!.end}`;
    const { code, out } = await runner(
      [DOC_TESTS, "--no-check", "--jobs", "1", "lib.ts"],
      { TEST_BATCH_TIMEOUT: LIMIT_SECONDS },
      dir,
    );
    assertEquals(code, 1, out);
    assertStringIncludes(out, `TIMEOUT: the share share_1.ts ran past ${LIMIT_SECONDS} s`);
    assertStringIncludes(out, `the test running was "${name}"`);
    assertMatch(out, /^FAILED \| 0 passed \| 1 failed/m);
    assertStringIncludes(out.slice(out.lastIndexOf("doc examples failed:")), `${name} (killed`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test runner: a TEST_BATCH_TIMEOUT that is no number of seconds is refused in one line", async () => {
  const { code, out } = await runner([SHARDS, "no/such/dir"], { TEST_BATCH_TIMEOUT: "10m" });
  assertEquals(code, 2, out);
  assertEquals(
    out,
    "test_shards: TEST_BATCH_TIMEOUT takes a number of seconds > 0, got 10m\n",
  );
});

Deno.test("test runner: a test past a minute is named as the one running, Deno's still-running word after its name", () => {
  // As a CI log had it: the word on the same line as the test's name, then
  // lines of its own; the batch's timeout report said no test had started.
  const name = "prefill: a store that keeps asking to slow down fails its items in the end";
  const output = [
    "running 3 tests from ./tests/prefill_store_throttling_test.ts",
    "prefill: a store that asks to slow down for a while pauses, and its items are fetched ... ok (769ms)",
    `${name} ...'${name}' has been running for over (1m0s)`,
    `'${name}' has been running for over (2m0s)`,
    `'${name}' has been running for over (4m0s)`,
    "",
  ].join("\n");
  assertEquals(lastStartedTest(new TextEncoder().encode(output)), name);
  // The same with Deno's colours, and once the test ends the word is no result.
  const coloured = output.replaceAll("has been running", "\x1b[33mhas been running\x1b[0m") +
    `${name} ... \x1b[32mok\x1b[0m (61s)\n`;
  assertEquals(lastStartedTest(new TextEncoder().encode(coloured)), undefined);
});
