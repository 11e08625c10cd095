/**
 * A command that has not stopped when the process ends it (the 5 s grace of
 * a Ctrl-C or SIGTERM over, or a second signal) exited 130 with no line at
 * all unless a progress bar was on screen: a CI log (stderr no terminal)
 * then ended on the command's last progress line, or on nothing, with no
 * word of an interrupt. The process now always says which command it ended,
 * and why at once; with `--json`, stdout holds the error document (it was
 * empty), as for any interrupted command.
 *
 * The command held past its abort: `vc prefill --list FIFO` with no writer,
 * whose open of the named pipe waits in the kernel (no abort reaches it).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { childEnv, vcCommand } from "./cli_process.ts";
import { lastLine } from "./interrupt_helpers.ts";
import { join } from "node:path";

/** Whether a thread of process `pid` waits to open a named pipe (Linux's `wait_for_partner`). */
async function waitsOnFifoOpen(pid: number): Promise<boolean> {
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const wchan = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/wchan`).catch(() => "");
    if (wchan === "wait_for_partner") return true;
  }
  return false;
}

/**
 * Runs `vc prefill --list FIFO` until it waits on the pipe's open, sends it a
 * SIGINT (`again`: and more, until it exits, since signals sent at once may
 * reach it as one), and returns its exit code and stderr.
 */
async function stuckPrefill(
  again: boolean,
  flags: readonly string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cut_short_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    const fifo = join(dir, "list.fifo");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert(made.success, "mkfifo");
    const child = vcCommand(dir, childEnv(dir), ["prefill", ...flags, "--list", fifo], 60_000)
      .spawn();
    const stderr = new Response(child.stderr).text();
    const stdout = new Response(child.stdout).text();
    let waiting = false;
    for (let i = 0; i < 1500 && !waiting; i++) {
      await new Promise((r) => setTimeout(r, 20));
      waiting = await waitsOnFifoOpen(child.pid);
    }
    assert(waiting, "vc reached the open of the list's pipe");
    child.kill("SIGINT");
    let exited = false;
    const status = child.status.finally(() => exited = true);
    for (let i = 0; again && !exited && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        if (!exited) child.kill("SIGINT");
      } catch {
        // Exited meanwhile.
      }
    }
    const [{ code }, err, out] = await Promise.all([status, stderr, stdout]);
    return { code, stdout: out, stderr: err };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "a command still busy when the grace period of a Ctrl-C is over ends on a line saying so",
  // Reads /proc to see the pipe's open waiting (Linux only).
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { code, stderr } = await stuckPrefill(false);
    assertEquals(code, 130, stderr);
    assertMatch(
      lastLine(stderr),
      /^vc: prefill interrupted: ended at once, still busy 5 s after the signal \(/,
    );
  },
});

Deno.test({
  name: "a second Ctrl-C ends a command at once on a line saying so",
  // Reads /proc to see the pipe's open waiting (Linux only).
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { code, stderr } = await stuckPrefill(true);
    assertEquals(code, 130, stderr);
    assertMatch(lastLine(stderr), /^vc: prefill interrupted: ended at once, by a second signal \(/);
  },
});

Deno.test({
  name: "a command with --json ended at once prints the error document of an interrupt",
  // Reads /proc to see the pipe's open waiting (Linux only).
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { code, stdout, stderr } = await stuckPrefill(true, ["--json"]);
    assertEquals(code, 130, stderr);
    const doc = JSON.parse(stdout);
    assertEquals([doc.error.kind, doc.error.exitCode], ["VcError", 130]);
    assertMatch(doc.error.message, /^prefill interrupted: ended at once, by a second signal \(/);
  },
});
