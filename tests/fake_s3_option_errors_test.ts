/**
 * The fake S3 server refused a misspelt option with `InvalidInputError`, as
 * every options check of vc's does, but a bad value (a port out of range,
 * a fault rate of 2, a bucket name with a slash, an unknown `failNext`
 * kind) with a bare `RangeError` or `TypeError`, some without saying which
 * call: a caller could not catch one kind for "my options are wrong". A lone
 * string for `buckets` was taken letter by letter (`invalid bucket name "a"`).
 */
import { InvalidInputError } from "../src/errors.ts";
import { type FaultOptions, startFakeS3 } from "../src/testing/mod.ts";
import { assertRejects, assertThrows } from "./assert.ts";

Deno.test("startFakeS3 refuses every bad option value with InvalidInputError naming it", async () => {
  const cases: Array<[Parameters<typeof startFakeS3>[0], string]> = [
    [{ port: 70000 }, "option port"],
    [{ port: "9000" as unknown as number }, 'got "9000"'],
    [{ minPartSize: -1 }, "option minPartSize"],
    [{ maxObjectSize: 1.5 }, "option maxObjectSize"],
    [{ buckets: ["bad/name"] }, '"bad/name"'],
    [{ buckets: [7 as unknown as string] }, "invalid bucket name 7"],
    [{ buckets: "assets" as unknown as string[] }, '["assets"]'],
    [{ faults: { errorRate: 2 } }, "errorRate"],
    [{ faults: { errorKind: "boom" as "internal" } }, "errorKind"],
    [{ faults: { seed: 0.5 } }, "seed"],
    [{ faults: { match: "all" } as unknown as FaultOptions }, "match"],
    [{ latencyMs: -1 }, "latencyMs"],
  ];
  for (const [options, named] of cases) {
    await assertRejects(() => startFakeS3(options), InvalidInputError, named);
  }
});

Deno.test("a running fake S3 refuses bad faults, failNext and bucket names with InvalidInputError", async () => {
  await using s3 = await startFakeS3();
  assertThrows(() => s3.setFaults({ corruptRate: -0.1 }), InvalidInputError, "corruptRate");
  assertThrows(() => (s3.faults = { latencyMs: NaN }), InvalidInputError, "latencyMs");
  assertThrows(() => s3.failNext(-1, "reset"), InvalidInputError, "failNext count");
  assertThrows(() => s3.failNext(1, "boom" as "reset"), InvalidInputError, "failNext kind");
  await assertRejects(() => s3.createBucket("no/slash"), InvalidInputError, '"no/slash"');
});
