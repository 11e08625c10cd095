/**
 * `VC_CONCURRENCY`: a CI job's `env:` sets the downloads in flight of
 * `vc prefill` and `vc mirror`, as every other vc setting has its variable.
 * It was no setting (only warned of, "did you mean the flag --concurrency?"),
 * so a job that set it ran at the default. The flag still wins; a malformed
 * value fails the run naming the variable, as any malformed VC_* does.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc config shows VC_CONCURRENCY, and the default without it", async () => {
  await using ws = await CliWorkspace.create();
  const row = async (env: Record<string, string>) => {
    const r = await ws.run(["config", "--json"], env);
    const rows = JSON.parse(r.stdout) as { name: string; value: unknown; source: string }[];
    return [r.code, rows.find((x) => x.name === "concurrency")];
  };
  assertEquals(await row({ VC_CONCURRENCY: "32" }), [
    0,
    { name: "concurrency", value: 32, source: "env VC_CONCURRENCY" },
  ]);
  assertEquals(await row({}), [0, { name: "concurrency", value: 16, source: "default" }]);
});

Deno.test("vc prefill reads VC_CONCURRENCY: a malformed one fails, the flag wins", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/x.bin", "x");
  await ws.write("list.txt", `${ws.bucket}/x.bin\n`);
  const bad = await ws.run(["prefill", "--list", "list.txt"], { VC_CONCURRENCY: "0" });
  assertEquals(bad.code, 1, bad.stderr);
  assertStringIncludes(bad.stderr, 'VC_CONCURRENCY must be a whole number from 1 to 1024, got "0"');
  const flag = await ws.run(["prefill", "--list", "list.txt", "--concurrency", "2"], {
    VC_CONCURRENCY: "0",
  });
  assertEquals([flag.code, flag.stderr], [0, ""]);
  const good = await ws.run(["prefill", "--list", "list.txt"], { VC_CONCURRENCY: "2" });
  assertEquals([good.code, good.stderr], [0, ""]);
});

Deno.test("vc mirror reads VC_CONCURRENCY too", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.txt", "a");
  const r = await ws.run(["mirror", ws.path("src"), `${ws.bucket}/mirror`], {
    VC_CONCURRENCY: "8k",
  });
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, 'VC_CONCURRENCY must be a whole number from 1 to 1024, got "8k"');
});

Deno.test("VC_CONCURRENCY with a line break or spaces at an end is read as the number, as every number variable is", async () => {
  // A YAML block (`VC_CONCURRENCY: |`) or a CRLF .env file leaves "8\n" or
  // "8\r": VC_LOCK_WAIT, VC_CACHE_TIMEOUT and AWS_MAX_ATTEMPTS took it, and
  // VC_CONCURRENCY alone failed the run.
  await using ws = await CliWorkspace.create();
  for (const value of ["8\n", "8\r", " 8 "]) {
    const r = await ws.run(["config", "concurrency"], { VC_CONCURRENCY: value });
    assertEquals([r.code, r.stdout.trim(), r.stderr], [0, "8", ""], JSON.stringify(value));
  }
  // Blank is still malformed, quoted as given.
  const blank = await ws.run(["config", "concurrency"], { VC_CONCURRENCY: " " });
  assertEquals(blank.code, 1, blank.stderr);
  assertStringIncludes(
    blank.stderr,
    'VC_CONCURRENCY must be a whole number from 1 to 1024, got " "',
  );
  const bad = await ws.run(["config", "concurrency"], { VC_CONCURRENCY: " 8k\n" });
  assertStringIncludes(bad.stderr, 'got " 8k\\n"');
});
