/**
 * Some CI runners give a job a pseudo-terminal (Buildkite's agent by
 * default, CircleCI, `docker run -t` in a job): stderr is a terminal there,
 * and the progress bar redrew ten times a second into the job's log, ~170
 * redraws (8 kB) for a 17-second prefill of 300 objects, where a log wants a
 * plain line every 30 s. With `CI` set, as every such runner sets it, the bar
 * is not drawn and the plain lines are printed instead; `CI=false` or `CI=0`
 * (a job that says it is not one) keeps the bar.
 */
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { ENV_VARS } from "../scripts/permissions.ts";
import { assert, assertEquals } from "./assert.ts";

function progressOf(env: Record<string, string>): { drawn: string; logs: boolean } {
  const io = memoryIo({ env: { TERM: "xterm-256color", ...env }, stderrIsTerminal: true });
  const bar = new Output(io).progress("prefill");
  bar.onItems({ done: 1, total: 10 });
  const logs = bar.logs;
  bar.done();
  return { drawn: io.stderr(), logs };
}

Deno.test("progress: no bar in a CI job that has a terminal, plain log lines instead", () => {
  for (const value of ["true", "1", "yes", "woodpecker"]) {
    const { drawn, logs } = progressOf({ CI: value });
    assertEquals(drawn, "", `CI=${value}`);
    assertEquals(logs, true, `CI=${value}: the plain line every 30 s`);
  }
});

Deno.test("progress: CI unset, empty, false or 0 keeps the bar on a terminal", () => {
  for (const env of [{}, { CI: "" }, { CI: "false" }, { CI: "0" }, { CI: "FALSE" }]) {
    const { drawn, logs } = progressOf(env);
    assert(drawn.includes("10%"), JSON.stringify(env));
    assertEquals(logs, false);
  }
});

Deno.test("progress: the release permissions may read CI (else a binary takes it for unset)", () => {
  assert(ENV_VARS.includes("CI"), ENV_VARS.join(","));
});
