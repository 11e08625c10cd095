/**
 * `vc mirror s3://… DIR` killed (`kill -9`) at seeded random moments, each
 * kill followed at once by the next pass (a CI retry): that pass must
 * converge (every object whole in DIR, no temp file holding bytes of the
 * killed download, whose pid the release binary cannot look up), and a
 * third pass transfers nothing. The seed and the kill's delay are printed
 * on a failure, to replay it (`VC_KILL_SEED=N`).
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { seededRandom } from "../src/testing/fake_s3/faults.ts";

const RUNS = 6;
const OBJECTS = 24;

Deno.test("vc mirror store → local killed at random moments converges on the next pass", async () => {
  const seed = Number(Deno.env.get("VC_KILL_SEED") ?? 20261206);
  const random = seededRandom(seed);
  // Latency per request stretches a pass over a second or two, so the kills land mid-pass.
  await using s3 = await startFakeS3({ buckets: ["b"], faults: { latencyMs: 60 } });
  const sizes = new Map<string, number>();
  for (let i = 0; i < OBJECTS; i++) {
    const size = 1_500_000 + i * 3_001;
    sizes.set(`f${i}.bin`, size);
    await s3.putObject("b", `p/f${i}.bin`, new Uint8Array(size).fill(i));
  }
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_random_kill_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    const env = childEnv(dir, testAwsEnv(s3.url));
    for (let run = 0; run < RUNS; run++) {
      const target = join(dir, `t${run}`);
      const args = ["mirror", "s3://b/p", target, "--json"];
      const delay = 300 + Math.floor(random() * 1500);
      const what = `seed ${seed}, run ${run}, kill after ${delay} ms`;
      const child = vcCommand(dir, env, [...args, "--concurrency", "4"], 60_000).spawn();
      // (A run done before its delay has exited: nothing to kill. Its
      // output may still be read when the timer fires.)
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
        }
      }, delay);
      await child.output().finally(() => clearTimeout(timer));
      const next = await vcCommand(dir, env, args, 60_000).output();
      assertEquals(next.code, 0, `${what}: ${new TextDecoder().decode(next.stderr)}`);
      const names = [...Deno.readDirSync(target)].map((e) => e.name).sort();
      const temps = names.filter((name) => name.includes(".vc-tmp-"));
      assertEquals(names.filter((name) => !temps.includes(name)), [...sizes.keys()].sort(), what);
      // A download killed after its temp file's create, before its first
      // byte, leaves it empty: that one stays a few seconds (as a writer
      // between its create and its lock would look); none holding bytes.
      const written = temps.filter((name) => Deno.statSync(join(target, name)).size > 0);
      assertEquals(written, [], what);
      for (const [name, size] of sizes) {
        const bytes = await Deno.readFile(join(target, name));
        assertEquals(bytes.length, size, `${what}: ${name}`);
      }
      const third = await vcCommand(dir, env, args, 60_000).output();
      const summary = JSON.parse(new TextDecoder().decode(third.stdout));
      assertEquals([summary.transferred, summary.failed], [0, []], what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
