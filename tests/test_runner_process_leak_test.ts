/**
 * A test that starts a process (a server, a `vc mirror --watch`, a
 * PostgreSQL) and forgets to stop it leaves it running after its batch
 * ended normally, holding ports and CPU while later batches run. The runner
 * (`scripts/test_shards.ts`) finds what a batch left: processes still in
 * its process group, or that left the group but keep its TMPDIR in their
 * environment. It names them in a LEAK line with the batch's files, kills
 * them, and fails the batch. Processes a test stops (and one ending on its
 * own just after the batch) are no leak. The fixtures are written to a
 * temp dir, so the suite never picks them up.
 */
import { join } from "node:path";
import { alive, killAll, SHARDS } from "./runner_processes.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";

/**
 * A test that forgets three processes: a `sleep` a shell put in the
 * background with no environment (found only by its process group), and a
 * detached `deno` (out of the group, as `pg_ctl` detaches PostgreSQL, found
 * by its TMPDIR) that holds the batch's stdout open.
 */
const LEAKING_FILE = `
Deno.test({
  name: "starts processes and forgets them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pids = Deno.env.get("LEAK_PIDS")!;
    const shell = await new Deno.Command("/bin/sh", {
      args: ["-c", "/bin/sleep 300 >/dev/null 2>&1 & echo $!"],
      clearEnv: true,
      stdout: "piped",
    }).output();
    const sleeper = new TextDecoder().decode(shell.stdout).trim();
    const detached = new Deno.Command(Deno.execPath(), {
      args: ["eval", "setInterval(() => {}, 1000)"],
      detached: true,
    }).spawn();
    detached.unref();
    Deno.writeTextFileSync(pids, sleeper + " " + detached.pid);
  },
});
`;

/** Tests that stop what they start, or start what ends on its own within a moment. */
const CLEAN_FILE = `
Deno.test("stops the server it starts", async () => {
  const server = new Deno.Command(Deno.execPath(), {
    args: ["eval", "setInterval(() => {}, 1000)"],
    stdout: "null",
  }).spawn();
  server.kill("SIGTERM");
  await server.status;
});
Deno.test("starts a background process that ends on its own", async () => {
  await new Deno.Command("/bin/sh", { args: ["-c", "/bin/sleep 0.3 >/dev/null 2>&1 &"] }).output();
});
`;

async function runner(
  tests: string,
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SHARDS, "--no-check", tests],
    env: { NO_COLOR: "1", TEST_BATCH_TIMEOUT: "120", ...env },
    stdout: "piped",
    stderr: "piped",
    // Against a runner that waits for the stdout a leaked process holds.
    signal: AbortSignal.timeout(180_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test({
  name:
    "test runner: processes a batch left running (in its group, or detached with its TMPDIR) are named as a LEAK, killed, and fail the run",
  ignore: Deno.build.os !== "linux", // processes are found in /proc
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_process_leak_" });
    const pidsFile = join(dir, "pids");
    let pids: number[] = [];
    try {
      await Deno.mkdir(join(dir, "tests"));
      await Deno.writeTextFile(join(dir, "tests", "leak_test.ts"), LEAKING_FILE);
      await Deno.writeTextFile(
        join(dir, "tests", "fine_test.ts"),
        `Deno.test("fine", () => {});\n`,
      );
      const { code, out } = await runner(join(dir, "tests"), { LEAK_PIDS: pidsFile });
      pids = (await Deno.readTextFile(pidsFile)).split(" ").map(Number);
      assertEquals(code, 1, out);
      const [sleeper, detached] = pids;
      assertMatch(out, /^LEAK: the batch left 2 processes running/m);
      assertMatch(out, new RegExp(`^  ${sleeper} /bin/sleep 300$`, "m"));
      assertMatch(out, new RegExp(`^  ${detached} \\S*deno eval setInterval`, "m"));
      assertStringIncludes(out.slice(out.indexOf("LEAK:")), "leak_test.ts");
      assertStringIncludes(out.slice(out.indexOf("failed files:")), "leak_test.ts");
      // A SIGKILL takes effect as the process is next scheduled: bounded, 50 looks 100 ms apart.
      for (let i = 0; i < 50 && pids.some(alive); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert(!alive(sleeper!), `the leaked sleep ${sleeper} still runs`);
      assert(!alive(detached!), `the leaked detached process ${detached} still runs`);
    } finally {
      killAll(pids);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "test runner: a process a test stops, or one that ends on its own just after, is no leak",
  ignore: Deno.build.os !== "linux", // processes are found in /proc
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_no_process_leak_" });
    try {
      await Deno.mkdir(join(dir, "tests"));
      await Deno.writeTextFile(join(dir, "tests", "clean_test.ts"), CLEAN_FILE);
      const { code, out } = await runner(join(dir, "tests"), {});
      assertEquals(code, 0, out);
      assert(!out.includes("LEAK"), out);
      assertMatch(out, /^ok \| 2 passed \| 0 failed/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
