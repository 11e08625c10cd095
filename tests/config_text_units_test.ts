/**
 * `vc config`'s table prints each number with the unit the setting is in:
 * seconds for the timeouts and the lock wait, bytes for the two download
 * sizes, none for a count. The attempts per request printed as `5s`, as if
 * they were a duration (its README table row says "5 attempts per
 * request"), beside `AWS_MAX_ATTEMPTS=5`, which takes no unit.
 */
import { assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc config: every number in the table carries its setting's unit (a count none)", async () => {
  await withWorkspace(async (_dir, vc) => {
    const env = { VC_BUCKET: "s3://team-assets", AWS_MAX_ATTEMPTS: "3" };
    const text = ok(await vc(["config"], env), "vc config").stdout;
    const shown = new Map(
      text.trimEnd().split("\n").map((line) => {
        const [name, value] = line.split(/\s{2,}/);
        return [name!, value!];
      }),
    );
    assertEquals(
      [
        "timeout",
        "requestTimeout",
        "lockWait",
        "revalidateTimeout",
        "parallelThreshold",
        "rangeSize",
        "s3MaxAttempts",
      ].map((name) => [name, shown.get(name)]),
      [
        ["timeout", "86400s"],
        ["requestTimeout", "60s"],
        ["lockWait", "60s"],
        ["revalidateTimeout", "5s"],
        ["parallelThreshold", "33554432 B"],
        ["rangeSize", "8388608 B"],
        ["s3MaxAttempts", "3"],
      ],
    );
  });
});
