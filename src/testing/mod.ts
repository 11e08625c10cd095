/**
 * Test helpers for code that uses vc (and for vc's own tests):
 *
 * - {@linkcode startFakeS3}: an in-process fake S3 server with fault
 *   injection and request statistics;
 * - {@linkcode MemoryStore}: an in-memory `ObjectStore` with S3 semantics;
 * - {@linkcode ManualClock}: a `Clock` that moves only when told, for TTLs,
 *   intervals and leases without sleeping;
 * - {@linkcode storeContract} / {@linkcode checkStore}: the `ObjectStore`
 *   contract suite, to check your own store the way vc checks its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkStore, MemoryStore, startFakeS3 } from "./mod.ts";
 * await using s3 = await startFakeS3({ buckets: ["assets"] });
 * await s3.putObject("assets", "a.csv", "x,y\n");
 * const res = await fetch(`${s3.url}/assets/a.csv`);
 * assert(await res.text() === "x,y\n");
 * // Your own ObjectStore goes where MemoryStore is:
 * await checkStore(() => {
 *   const store = new MemoryStore();
 *   return Promise.resolve({ store, cleanup: () => store.close() });
 * });
 * ```
 *
 * @module
 */
export { ManualClock } from "./manual_clock.ts";
export { MemoryStore } from "../store/memory.ts";
export type { MemoryObject, MemoryStoreOptions } from "../store/memory.ts";
export { checkStore, listKeys, STORE_CONTRACT_CASES, storeContract } from "./store_contract.ts";
export type { StoreContractCase, StoreContractOptions, StoreUnderTest } from "./store_contract.ts";
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
