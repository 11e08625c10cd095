/**
 * `vc prefill` prints its first 20 failures, then counts the rest: a CI log
 * whose first 20 were one cause (missing objects of a stale list) hid that
 * others were of another kind (refused, a store answering 5xx: a retry
 * helps), which only `--json` told. The count now names the kinds of the
 * failures not shown whose kind none shown has; one cause shared by every
 * item still ends in the bare count.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { writeFailureLines } from "../src/cli/failure_lines.ts";
import { memoryIo } from "../src/cli/io.ts";

Deno.test("cli prefill: the count of failures not shown names the kinds not shown", async () => {
  await using ws = await CliWorkspace.create();
  // 22 missing objects (NotFoundError), then 3 versioned paths with no
  // manifest to resolve them (InvalidInputError).
  const missing = Array.from({ length: 22 }, (_, i) => `${ws.bucket}/absent-${i}.bin`);
  await ws.write("list.txt", [...missing, "/a.csv", "/b.csv", "/c.csv"].join("\n") + "\n");
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assertEquals(
    lines.at(-2),
    "vc: ... and 5 more failures, 3 of them InvalidInputError (--json lists them all)",
  );
  assertEquals(lines.at(-1), "vc: 25 of 25 items failed (22 NotFoundError, 3 InvalidInputError)");
});

Deno.test("failure lines: kinds not shown are named, most frequent first", () => {
  const io = memoryIo();
  const kinds = [
    ...Array<string>(20).fill("NotFoundError"),
    "StoreError",
    "AccessDeniedError",
    "AccessDeniedError",
    "NotFoundError",
  ];
  writeFailureLines(io, kinds.map((k, i) => `vc: failed ${i}: ${k}`), kinds);
  assertEquals(
    io.stderr().trimEnd().split("\n").at(-1),
    "vc: ... and 4 more failures, 2 of them AccessDeniedError and 1 StoreError " +
      "(--json lists them all)",
  );
});
