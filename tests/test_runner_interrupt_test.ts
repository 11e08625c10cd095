/**
 * A Ctrl-C (SIGINT) of `scripts/test_shards.ts` is passed on to the batches
 * under way, which run as process groups of their own. A process a test
 * started that left the group (the PostgreSQL server `pg_ctl start`
 * detaches) never gets it: the runner kills those too, found by the batch's
 * TMPDIR in their environment, as it does for a batch past
 * TEST_BATCH_TIMEOUT, so an interrupted run leaves no server running.
 * The fixture is written to a temp dir, so the suite never picks it up.
 */
import { join } from "node:path";
import { alive, killAll, SHARDS } from "./runner_processes.ts";
import { assert, assertEquals } from "./assert.ts";

/** A test that starts two children (one in its group, one detached as `pg_ctl` does) and waits. */
const WAITING_FILE = `
Deno.test("waits with a detached child", async () => {
  const forever = ["eval", "setInterval(() => {}, 1000)"];
  const inGroup = new Deno.Command(Deno.execPath(), { args: forever }).spawn();
  const detached = new Deno.Command(Deno.execPath(), { args: forever, detached: true }).spawn();
  Deno.writeTextFileSync(Deno.env.get("WAIT_PIDS") + ".part", inGroup.pid + " " + detached.pid);
  Deno.renameSync(Deno.env.get("WAIT_PIDS") + ".part", Deno.env.get("WAIT_PIDS")!);
  await new Promise(() => {});
});
`;

Deno.test({
  name:
    "test runner: SIGINT of the runner also ends the processes a batch started that left its group",
  ignore: Deno.build.os !== "linux", // children's liveness is read from /proc
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_interrupt_" });
    const pidsFile = join(dir, "children");
    let children: number[] = [];
    try {
      await Deno.mkdir(join(dir, "tests"));
      await Deno.writeTextFile(join(dir, "tests", "wait_test.ts"), WAITING_FILE);
      const runner = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SHARDS, "--no-check", join(dir, "tests")],
        // Its run directory in `dir`: the interrupted runner leaves it for its
        // next run to remove, and this test removes `dir`.
        env: { NO_COLOR: "1", WAIT_PIDS: pidsFile, TEST_BATCH_TIMEOUT: "300", TMPDIR: dir },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        // Bounded: 600 looks, 100 ms apart, for the test to have started its children.
        for (let i = 0; i < 600 && children.length === 0; i++) {
          try {
            children = (await Deno.readTextFile(pidsFile)).split(" ").map(Number);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assertEquals(children.length, 2, "the fixture's test never started its children");
        runner.kill("SIGINT");
      } finally {
        const { code } = await runner.output();
        assertEquals(code, 130);
      }
      // A SIGKILL takes effect as the process is next scheduled: bounded, 50 looks 100 ms apart.
      for (let i = 0; i < 50 && children.some(alive); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const [inGroup, detached] = children;
      assert(!alive(inGroup!), `child ${inGroup} of the interrupted batch still runs`);
      assert(!alive(detached!), `detached child ${detached} of the interrupted batch still runs`);
    } finally {
      killAll(children);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "test runner: a batch whose runner was SIGKILLed ends itself, with the processes it started",
  ignore: Deno.build.os !== "linux", // processes are read from /proc
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_orphaned_batch_" });
    const pidsFile = join(dir, "children");
    let pids: number[] = [];
    try {
      await Deno.mkdir(join(dir, "tests"));
      // The batch's own PID too: the batch is what must end.
      await Deno.writeTextFile(
        join(dir, "tests", "wait_test.ts"),
        WAITING_FILE.replace("inGroup.pid + ", 'Deno.pid + " " + inGroup.pid + '),
      );
      const runner = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SHARDS, "--no-check", join(dir, "tests")],
        env: { NO_COLOR: "1", WAIT_PIDS: pidsFile, TEST_BATCH_TIMEOUT: "300", TMPDIR: dir },
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        // Bounded: 600 looks, 100 ms apart, for the test to have started its children.
        for (let i = 0; i < 600 && pids.length === 0; i++) {
          try {
            pids = (await Deno.readTextFile(pidsFile)).split(" ").map(Number);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assertEquals(pids.length, 3, "the fixture's test never started its children");
      } finally {
        runner.kill("SIGKILL");
        await runner.status;
      }
      // The batch looks for its runner once a second: bounded, 100 looks 100 ms apart.
      for (let i = 0; i < 100 && pids.some(alive); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const [batch, inGroup, detached] = pids;
      assert(!alive(batch!), `batch ${batch} of the killed runner still runs`);
      assert(!alive(inGroup!), `child ${inGroup} of the orphaned batch still runs`);
      assert(!alive(detached!), `detached child ${detached} of the orphaned batch still runs`);
    } finally {
      killAll(pids);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "test runner: the processes of a batch are found by its TMPDIR or one below it (a nested runner's batch), never by a like-named one",
  ignore: Deno.build.os !== "linux", // processes are found in /proc
  async fn() {
    const { killProcessesWithEnv } = await import("../scripts/deno_test_process.ts");
    const dir = await Deno.makeTempDir({ prefix: "vc_runner_env_scan_" });
    const forever = ["eval", "setInterval(() => {}, 1000)"];
    const start = (tmp: string) =>
      new Deno.Command(Deno.execPath(), {
        args: forever,
        env: { TMPDIR: tmp },
        stdout: "null",
        stderr: "null",
      }).spawn();
    const own = start(dir);
    // A runner run by a test of the batch makes its own batches' TMPDIRs below the batch's.
    const nested = start(`${dir}/vc_test_run_1/tmp_2`);
    // Another session's batch whose directory's name begins as this one's does.
    const other = start(`${dir}x`);
    try {
      const killed = killProcessesWithEnv(`TMPDIR=${dir}`).map((line) =>
        Number(line.split(" ")[0])
      );
      assertEquals(killed.sort((a, b) => a - b), [own.pid, nested.pid].sort((a, b) => a - b));
      assertEquals((await own.status).signal, "SIGKILL");
      assertEquals((await nested.status).signal, "SIGKILL");
      assert(alive(other.pid), "a process with a like-named TMPDIR was killed");
    } finally {
      for (const child of [own, nested, other]) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Gone, as it should be.
        }
        await child.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
