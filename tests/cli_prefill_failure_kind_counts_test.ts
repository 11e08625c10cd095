/**
 * A CI log of `vc prefill` with hundreds of failures showed the first 20,
 * `vc: ... and 730 more failures (--json lists them all)`, then
 * `vc: 750 of 2000 items failed`: whether the 750 were all objects missing
 * from a stale list, or some refused (a policy to fix) or a store's 5xx (a
 * re-run helps), the text never said once the first 20 held one of each
 * kind. Past the 20 shown, the count line now ends with how many of each
 * kind (`errorName`) failed.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { failureKindCounts } from "../src/cli/failure_lines.ts";

Deno.test("cli prefill: past 20 failures, the count line says how many failed of each kind", async () => {
  await using ws = await CliWorkspace.create();
  // One of each kind among the first 20, then many more of both: the
  // "kinds not shown" of the count line names none of them.
  const items = [
    "/v0.csv",
    ...Array.from({ length: 30 }, (_, i) => `${ws.bucket}/absent-${i}.bin`),
    ...Array.from({ length: 4 }, (_, i) => `/v${i + 1}.csv`),
  ];
  await ws.write("list.txt", items.join("\n") + "\n");
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assertEquals(lines.at(-2), "vc: ... and 15 more failures (--json lists them all)");
  assertEquals(
    lines.at(-1),
    "vc: 35 of 35 items failed (30 NotFoundError, 5 InvalidInputError)",
  );
});

Deno.test("cli prefill: 20 failures or fewer, all shown, end on the bare count", async () => {
  await using ws = await CliWorkspace.create();
  const items = Array.from({ length: 3 }, (_, i) => `${ws.bucket}/absent-${i}.bin`);
  await ws.write("list.txt", items.join("\n") + "\n");
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(r.code, 1, r.stderr);
  assertEquals(r.stderr.trimEnd().split("\n").at(-1), "vc: 3 of 3 items failed");
});

Deno.test("failure kind counts: most frequent first, ties by name", () => {
  assertEquals(
    failureKindCounts([
      "NotFoundError",
      "StoreError",
      "AccessDeniedError",
      "StoreError",
      "AccessDeniedError",
      "StoreError",
    ]),
    "3 StoreError, 2 AccessDeniedError, 1 NotFoundError",
  );
  assertEquals(failureKindCounts([]), "");
});
