/**
 * `vc prefill` stopped by Ctrl-C or SIGTERM (a CI job cancelled at its
 * timeout) said only `vc: interrupted`: how far it got, and the failures it
 * had already met (a bucket refusing every key), were lost. It now lists the
 * failures so far and ends on one line saying what was done (exit 130); with
 * `--json`, the summary so far with `interrupted: true`. The rerun finishes.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { PrefillInterruptedError } from "../src/prefill/mod.ts";

for (const [signal, json] of [["SIGINT", false], ["SIGTERM", true]] as const) {
  Deno.test({
    name: `vc prefill ${signal}${json ? " --json" : ""}: says what was done and what failed`,
    ignore: Deno.build.os === "windows", // no signals to send there
    fn: async () => {
      await using s3 = await startFakeS3({ buckets: ["b"] });
      await s3.putObject("b", "fast.bin", new TextEncoder().encode("fast"));
      for (let i = 0; i < 4; i++) {
        await s3.putObject("b", `slow/${i}.bin`, new TextEncoder().encode(`slow ${i}`));
      }
      // The slow objects' answers are held back until the run is stopped.
      // With two downloads at once, the second of them is asked for only
      // once the missing and the fast items are both done.
      const slowAsked = new Set<string>();
      s3.faults = {
        latencyMs: 60_000,
        match: (t) => (t.key ?? "").startsWith("slow/") && slowAsked.add(t.key!) !== undefined,
      };
      const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-prefill-int-" }));
      try {
        await Deno.mkdir(join(dir, "home"));
        const list = join(dir, "list.txt");
        const slow = [0, 1, 2, 3].map((i) => `s3://b/slow/${i}.bin`);
        await Deno.writeTextFile(list, ["s3://b/missing", "s3://b/fast.bin", ...slow].join("\n"));
        const env = childEnv(dir, testAwsEnv(s3.url));
        const args = ["prefill", "--list", list, "--concurrency", "2", ...(json ? ["--json"] : [])];
        const child = vcCommand(dir, env, args).spawn();
        for (let i = 0; i < 1200 && slowAsked.size < 2; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        assertEquals(slowAsked.size, 2, "two slow objects were asked for");
        child.kill(signal);
        const out = await child.output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 130, stderr);
        assertStringIncludes(stderr, `vc: prefill failed: ${list}:1: s3://b/missing: `);
        assertStringIncludes(
          stderr,
          "vc: prefill interrupted after 2 of 6 items: 1 fetched, 0 already cached, 1 failed; 4 B in ",
        );
        assertStringIncludes(stderr, "s; the rest was not tried: run it again to finish");
        if (json) {
          const doc = JSON.parse(new TextDecoder().decode(out.stdout));
          assertEquals(
            [
              doc.interrupted,
              doc.total,
              doc.fetched,
              doc.failed.map((f: { line: number }) => f.line),
            ],
            [true, 6, 1, [1]],
          );
        }
        // The rerun finds what the first cached, and finishes the rest.
        s3.clearFaults();
        const again = await vcCommand(dir, env, ["prefill", "--list", list]).output();
        const rerun = new TextDecoder().decode(again.stdout);
        assertEquals(again.code, 1, new TextDecoder().decode(again.stderr));
        assertStringIncludes(rerun, "6 items: 4 fetched, 1 already cached, 1 failed");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("PrefillInterruptedError: the reason is its cause, the summary what was done", () => {
  const reason = new DOMException("interrupted", "AbortError");
  const summary = { total: 5, fetched: 1, alreadyCached: 2, failed: [], bytes: 3, seconds: 0.5 };
  const e = new PrefillInterruptedError(summary, reason);
  assertEquals([e.cause, e.summary, e.name], [reason, summary, "PrefillInterruptedError"]);
});
