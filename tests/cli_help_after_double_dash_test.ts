/**
 * `vc help -- ls`: `--` ends the flags, and what follows is help's operands,
 * the topic, as `vc help ls` takes it. It was dropped: the main page was
 * printed (exit 0) as if no topic had been asked for.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc help -- TOPIC prints the topic's page, as vc help TOPIC does", async () => {
  await using ws = await CliWorkspace.create();
  const plain = await ws.run(["help", "ls"]);
  assertEquals(plain.code, 0, plain.stderr);
  const dashed = await ws.run(["help", "--", "ls"]);
  assertEquals([dashed.code, dashed.stdout, dashed.stderr], [0, plain.stdout, ""]);

  // A group and a two-word command, split either side of `--` too.
  assertEquals(
    (await ws.run(["help", "--", "cache", "get"])).stdout,
    (await ws.run(["help", "cache", "get"])).stdout,
  );
  assertEquals(
    (await ws.run(["help", "cache", "--", "get"])).stdout,
    (await ws.run(["help", "cache", "get"])).stdout,
  );

  // Words after `--` are part of the topic, never silently dropped.
  const extra = await ws.run(["help", "ls", "--", "extra"]);
  assertEquals(extra.code, 2, extra.stdout);
  assertStringIncludes(extra.stderr, 'unknown command "ls extra"');

  // Nothing after `--`: the main page, as `vc help`.
  assertEquals((await ws.run(["help", "--"])).stdout, (await ws.run(["help"])).stdout);
});
