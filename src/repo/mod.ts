/**
 * The repository capability (`vc repo`): files with states, tags and
 * claims; content in any `ObjectStore`, catalog in SQLite or PostgreSQL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await using repo = await Repository.init(`file://${dir}`);
 *   const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
 *   assert.equal((await repo.publish(r.id)).state, "published");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export { Repository } from "./repository.ts";
export type {
  AddOptions,
  AdoptOptions,
  Claim,
  ClaimOptions,
  FindQuery,
  InitOptions,
  ListOptions,
  ReleaseOptions,
  RepositoryOptions,
  RestoreOptions,
  TagTarget,
  TransitionOptions,
} from "./repository.ts";
export {
  ClaimLostError,
  ContentCollectedError,
  type RecordState,
  RecordStateError,
  type RepoRecord,
  UnknownRecordError,
} from "./records.ts";
export {
  CatalogBusyError,
  CatalogDamagedError,
  CatalogReadOnlyError,
  CatalogReplacedError,
  CatalogUnavailableError,
} from "./catalog.ts";
export type { Catalog, Dialect, Row, SqlValue, Tx, TxMode, TxOptions } from "./catalog.ts";
export {
  CatalogNotEmptyError,
  type RestoreCounts,
  type SnapshotCounts,
  type SnapshotProgress,
  type SnapshotProgressCallback,
} from "./backup.ts";
export type { CheckOptions, CheckProblem, CheckReport, CheckUnchecked, Orphan } from "./check.ts";
export { DEFAULT_GRACE_MS, DEFAULT_RETENTION_MS } from "./gc.ts";
export type { GcOptions, GcProgress, GcReport, GcSoFar } from "./gc.ts";
export { type DateTagKind, dateTags } from "./date_tags.ts";
export {
  type CatalogRef,
  MARKER_KEY,
  type RepoMarker,
  RepoNotFoundError,
  WrongHostError,
} from "./marker.ts";
export type { EnvOption } from "../env_option.ts";
