/**
 * `deno task test` runs the suite through `scripts/test_shards.ts`, several
 * `deno test` processes at once: a failure in any batch must fail the whole
 * run (else CI would pass with failing tests), and only test files are run.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

const SCRIPT = fileURLToPath(new URL("../scripts/test_shards.ts", import.meta.url));

async function shards(dir: string): Promise<{ code: number; out: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--jobs", "2", dir],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return { code: out.code, out: stdout + new TextDecoder().decode(out.stderr), stdout };
}

Deno.test("test shards: a failing file in any batch fails the run and is named; other modules are not run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_" });
  try {
    // More files than one batch holds, so they land in several processes.
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(join(dir, `p${i}_test.ts`), `Deno.test("p${i}", () => {});\n`);
    }
    await Deno.writeTextFile(
      join(dir, "bad_test.ts"),
      `Deno.test("bad", () => { throw new Error("boom from bad"); });\n`,
    );
    // Not a test module: running it would fail the run.
    await Deno.writeTextFile(join(dir, "helper.ts"), `throw new Error("helper was run");\n`);
    const failed = await shards(dir);
    assertEquals(failed.code, 1, failed.out);
    assertStringIncludes(failed.out, "boom from bad");
    // The failed file is named, not the passing files of its batch.
    const listed = failed.stdout.slice(failed.stdout.indexOf("failed files:"));
    assertStringIncludes(listed, "bad_test.ts");
    assert(!/p\d+_test\.ts/.test(listed), listed);
    assert(!failed.out.includes("helper was run"), failed.out);
    // Each batch's own summary is printed (CI adds them up): 12 passed, 1 failed in all.
    const passed = [...failed.out.matchAll(/^(?:ok|FAILED) \| (\d+) passed/gm)]
      .reduce((n, m) => n + Number(m[1]), 0);
    assertEquals(passed, 12, failed.out);

    await Deno.remove(join(dir, "bad_test.ts"));
    const ok = await shards(dir);
    assertEquals(ok.code, 0, ok.out);
    assertStringIncludes(ok.out, "all batches passed: 12 files");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: every batch shares one run directory, removed when the run ends", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_run_dir_" });
  try {
    // More files than one batch holds: each says where the run directory is
    // and leaves a file there that the others can see.
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(
        join(dir, `r${i}_test.ts`),
        `Deno.test("r${i}", () => {
          const runDir = Deno.env.get("VC_TEST_RUN_DIR");
          if (!runDir) throw new Error("no VC_TEST_RUN_DIR");
          Deno.writeTextFileSync(runDir + "/r${i}", "");
          console.log("run dir: " + runDir + " holds " + Deno.readDirSync(runDir).toArray().length);
        });\n`,
      );
    }
    const run = await shards(dir);
    assertEquals(run.code, 0, run.out);
    const seen = [...run.out.matchAll(/^run dir: (\S+) holds (\d+)$/gm)];
    assertEquals(seen.length, 12, run.out);
    assertEquals(new Set(seen.map((m) => m[1])).size, 1, "one directory for the whole run");
    // The last file run sees the files of every batch before it.
    assertEquals(Math.max(...seen.map((m) => Number(m[2]))), 12, run.out);
    assertThrows(() => Deno.statSync(seen[0]![1]!), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("test shards: the files of a batch run in one worker, under a heading that names them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_shards_one_worker_" });
  try {
    // Each file counts itself in a global of its worker; files run in workers
    // of their own would each count 1.
    for (let i = 0; i < 3; i++) {
      await Deno.writeTextFile(
        join(dir, `w${i}_test.ts`),
        `const g = globalThis as { seen?: number };
        g.seen = (g.seen ?? 0) + 1;
        Deno.test("w${i}", () => console.log("w${i} sees " + g.seen + " files in its worker"));\n`,
      );
    }
    const run = await shards(dir);
    assertEquals(run.code, 0, run.out);
    const seen = [...run.out.matchAll(/^w\d sees (\d+) files in its worker$/gm)].map((m) => m[1]);
    assertEquals(seen, ["3", "3", "3"], run.out);
    const heading = run.out.split("\n").find((line) => line.startsWith("batch 1: "));
    assert(heading, run.out);
    for (let i = 0; i < 3; i++) assertStringIncludes(heading, `w${i}_test.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
