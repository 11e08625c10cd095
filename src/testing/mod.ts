/**
 * Test helpers for code that uses vc (and for vc's own tests): an
 * in-process fake S3 server with fault injection and request statistics.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "./mod.ts";
 * await using s3 = await startFakeS3({ buckets: ["assets"] });
 * await s3.putObject("assets", "a.csv", "x,y\n");
 * const res = await fetch(`${s3.url}/assets/a.csv`);
 * assert(await res.text() === "x,y\n");
 * ```
 *
 * @module
 */
export { ManualClock } from "./manual_clock.ts";
export { startFakeS3 } from "./fake_s3/server.ts";
export type {
  FakeObjectInfo,
  FakeS3,
  FakeS3Options,
  FakeS3Stats,
  FaultKind,
  FaultOptions,
  FaultTarget,
  RequestLogEntry,
  S3Operation,
} from "./fake_s3/types.ts";
