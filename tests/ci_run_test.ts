/**
 * `.ci/run`, the CI entry point the README's Development section describes:
 * it ends with one `tests: N passed, M failed, K skipped` line, also when a
 * step failed (that is when the counts matter), and exits with the failed
 * step's code; and the README's fresh-machine test command is the one it
 * runs (through `deno task ok`), which that section names.
 *
 * `.ci/run` runs here with a `deno` on the PATH that prints Deno's summary
 * lines and exits as told, so no suite runs.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Runs `.ci/run` with a stand-in `deno` (and `initdb`, `aws`, `moto_server`). */
async function ciRun(
  okExit: number,
  compatExit: number,
): Promise<{ code: number; lines: string[]; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "vc_ci_run_" });
  try {
    const shim = (name: string, body: string) =>
      Deno.writeTextFile(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    await shim(
      "deno",
      [
        'case "$1 $2" in',
        '  "--version "*) echo "deno 2.9.6 (stand-in)" ;;',
        `  "task ok") echo "FAILED | 3 passed | 1 failed (1s)"; exit ${okExit} ;;`,
        `  "task test:compat") echo "ok | 2 passed | 0 failed | 1 ignored (1s)"; exit ${compatExit} ;;`,
        '  *) echo "unexpected deno $*" >&2; exit 99 ;;',
        "esac",
      ].join("\n"),
    );
    for (const name of ["initdb", "aws", "moto_server"]) await shim(name, "exit 0");
    const out = await new Deno.Command("bash", {
      args: [join(ROOT, ".ci", "run")],
      clearEnv: true,
      env: { PATH: `${dir}:/usr/bin:/bin`, TMPDIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      lines: new TextDecoder().decode(out.stdout).trimEnd().split("\n"),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: ".ci/run prints its tests: summary line when deno task ok fails, and exits 1",
  ignore: Deno.build.os === "windows", // a bash script
  async fn() {
    const run = await ciRun(1, 0);
    assertEquals(run.lines.at(-1), "tests: 5 passed, 1 failed, 1 skipped", run.stderr);
    assertEquals(run.code, 1, run.lines.join("\n"));
    // The compatibility suite still ran.
    assertStringIncludes(run.lines.join("\n"), "ok | 2 passed");
  },
});

Deno.test({
  name: ".ci/run exits with a failed compatibility suite's code, after the summary",
  ignore: Deno.build.os === "windows", // a bash script
  async fn() {
    const failed = await ciRun(0, 3);
    assertEquals(failed.lines.at(-1), "tests: 5 passed, 1 failed, 1 skipped", failed.stderr);
    assertEquals(failed.code, 3);
    const passed = await ciRun(0, 0);
    assertEquals(passed.lines.at(-1), "tests: 5 passed, 1 failed, 1 skipped", passed.stderr);
    assertEquals(passed.code, 0);
  },
});

Deno.test("README: the fresh-machine test command is the one .ci/run runs, and the section says how", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const start = readme.indexOf("\n## Two commands on a fresh machine");
  assert(start >= 0, "the README has its fresh-machine section");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const block = section.match(/```sh\n([\s\S]*?)```/)![1]!;
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks as Record<
    string,
    string
  >;
  const named = [...block.matchAll(/^deno task ([\w:-]+)/gm)].map((m) => m[1]!);
  assertEquals(named, ["demo", "test"]);
  for (const name of named) assert(name in tasks, `deno.json has the task ${name}`);

  // .ci/run runs `deno task ok`, which runs the README's `deno task test`.
  const ci = await Deno.readTextFile(join(ROOT, ".ci", "run"));
  const ran = [...ci.matchAll(/^\s*deno task ([\w:-]+)/gm)].map((m) => m[1]!);
  assertEquals(ran, ["ok", "test:compat"]);
  assertStringIncludes(tasks.ok!, "deno task test ");
  // A newcomer who wants CI's check learns its name where the two commands are.
  assertStringIncludes(section.replace(/\s+/g, " "), "(`.ci/run`) runs `deno task ok`");
});
