/**
 * `vc cache get` of a large object killed mid-download (`kill -9`, or
 * Ctrl-C) leaves its partial, and the next run downloads only the rest.
 * Ctrl-C says so (it said only `vc: cache get interrupted`).
 */
import { assert, assertEquals } from "./assert.ts";
import { type RequestLogEntry, startFakeS3 } from "../src/testing/mod.ts";
import { md5Hex } from "../src/hash.ts";
import { randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { join } from "node:path";

const MiB = 1024 * 1024;
const SIZE = 16 * MiB;

/** The first byte each GET asked for (0 for a GET without a range). */
function starts(gets: RequestLogEntry[]): number[] {
  return gets.map((g) => Number(/^bytes=(\d+)-/.exec(g.headers.range ?? "")?.[1] ?? 0));
}

for (const signal of ["SIGKILL", "SIGINT"] as const) {
  Deno.test({
    name: `vc cache get killed (${signal}) mid-download resumes in the next run`,
    ignore: Deno.build.os === "windows", // no signals to send there
    fn: async () => {
      const gets: RequestLogEntry[] = [];
      await using s3 = await startFakeS3({
        buckets: ["b"],
        onRequest: (e) => void (e.op === "GetObject" && gets.push(e)),
      });
      const data = randomBytes(SIZE, 9);
      await s3.putObject("b", "big.bin", data);
      const dir = await Deno.makeTempDir({ prefix: "vc-resume-cli-" });
      try {
        await Deno.mkdir(join(dir, "home"));
        const env = childEnv(dir, {
          ...testAwsEnv(s3.url),
          VC_PARALLEL_THRESHOLD: "1MiB",
          VC_RANGE_SIZE: "1MiB",
        });
        // The first GETs arrive; from the fifth on, the store holds its answers back.
        let seen = 0;
        s3.faults = {
          latencyMs: 3_000,
          match: (t) => t.op === "GetObject" && ++seen >= 5,
        };
        const child = vcCommand(dir, env, ["cache", "get", "s3://b/big.bin"]).spawn();
        const cache = join(dir, "cache");
        // The resume state, once it names a first MiB kept.
        const kept = async () => {
          const note = (await tempFiles(cache)).find((p) => p.endsWith("-resume"));
          try {
            return note === undefined ? 0 : JSON.parse(await Deno.readTextFile(note)).done;
          } catch {
            return 0; // being written
          }
        };
        for (let i = 0; i < 1200 && await kept() === 0; i++) {
          await new Promise((r) => setTimeout(r, 25));
        }
        assert(await kept() > 0, "a resume state appeared");
        child.kill(signal);
        const out = await child.output();
        const said = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, signal === "SIGINT" ? 130 : 137, said);
        const done: number = await kept();
        assert(done >= MiB, `kept ${done} bytes`);
        // Ctrl-C says what it kept, and how to go on.
        if (signal === "SIGINT") {
          assertEquals(
            said.trimEnd().split("\n").at(-1),
            `vc: cache get interrupted: s3://b/big.bin stopped at ${(done / 1e6).toFixed(1)} MB ` +
              "of 16.8 MB, kept for the next run to resume: run it again to finish",
          );
        }
        s3.clearFaults();
        gets.length = 0;
        const second = await vcCommand(dir, env, ["cache", "get", "s3://b/big.bin"]).output();
        const stderr = new TextDecoder().decode(second.stderr);
        assertEquals(second.code, 0, stderr);
        const path = new TextDecoder().decode(second.stdout).trim();
        assertEquals(md5Hex(await Deno.readFile(path)), md5Hex(data));
        assert(gets.length > 0 && starts(gets).every((s) => s >= done), `${starts(gets)}`);
        assertEquals(await tempFiles(cache), []);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
