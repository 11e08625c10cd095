/**
 * A cold download's path never touches the global timers: in Deno the first
 * `setTimeout` or `setInterval` of a process loads the Node timers (13–20 ms
 * of start-up, a tenth of a one-object prefill). Request deadlines and the CI
 * log line of a progress bar use `src/deadline.ts` instead. Run as processes
 * with the release permissions, on stderr that is not a terminal (so the
 * progress bar's 30 s log line is armed).
 */
import { join } from "node:path";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { childEnv, testAwsEnv } from "./cli_process.ts";

const TRIPWIRE = new URL("./fixtures/cli_timer_tripwire.ts", import.meta.url).pathname;

for (
  const { name, args } of [
    { name: "vc prefill --list of plain s3:// URIs", args: ["prefill", "--list", "uris.txt"] },
    { name: "vc cache get of an s3:// URI", args: ["cache", "get", "s3://cold/data/b.bin"] },
  ]
) {
  Deno.test(`${name}, cold: no setTimeout or setInterval (no Node timers loaded)`, async () => {
    await using s3 = await startFakeS3({ buckets: ["cold"] });
    await s3.putObject("cold", "data/a.bin", "a".repeat(4096));
    await s3.putObject("cold", "data/b.bin", "b".repeat(4096));
    const dir = await Deno.makeTempDir({ prefix: "vc_cold_timers_" });
    try {
      await Deno.mkdir(join(dir, "home"));
      await Deno.writeTextFile(
        join(dir, "uris.txt"),
        "s3://cold/data/a.bin\ns3://cold/data/b.bin\n",
      );
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, TRIPWIRE, ...args],
        cwd: dir,
        clearEnv: true,
        env: childEnv(dir, testAwsEnv(s3.url)),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assertEquals(run.code, 0, stderr);
      assertEquals(s3.stats.GetObject, args[0] === "prefill" ? 2 : 1, "downloaded cold");
      assertEquals(stderr.match(/timers touched: [^]*/)?.[0], undefined);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
