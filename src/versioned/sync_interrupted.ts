/**
 * The error of a sync stopped by its signal, with what it did before.
 *
 * @module
 */
import { VcError } from "../errors.ts";
import { keptPartialsSaid } from "../kept_partial_words.ts";

/** What a sync had done when it was stopped: the same shape as its report. */
export interface SyncInterruptedReport {
  /** The destination directory, absolute. */
  dest: string;
  /** Manifest entries the sync was to copy. */
  total: number;
  /** Entries copied before the stop, and where to: they are in `dest`, whole. */
  copied: Array<{ path: string; dest: string }>;
  /**
   * Entries left as they were in `dest`, which already held them (see
   * `VersionedSyncReport.unchanged`). Always set in the report of an error
   * a sync threw; optional only so a report built by hand (as before this
   * field) still type-checks.
   */
  unchanged?: Array<{ path: string; dest: string }>;
  /** Entries that failed for a reason of their own before the stop. */
  failed: Array<{ path: string; error: unknown }>;
  /**
   * Bytes written to `dest` before the stop, and the seconds the sync ran
   * (see `VersionedSyncReport`): set as `unchanged` is.
   */
  bytes?: number;
  /** How long the sync ran before the stop, in seconds. */
  seconds?: number;
  /**
   * The large downloads the stop cut whose partial is kept in the cache for
   * the next run to resume, by manifest path. Absent when there is none.
   */
  keptPartials?: Array<{ path: string; bytes: number; size: number }>;
  /** Set when a dry run was stopped: `copied` lists what it would copy; nothing was changed. */
  dryRun?: true;
}

/**
 * A `VersionedCache.syncSettled` stopped by its `signal` (Ctrl-C, a CI job
 * cancelled): `cause` is the signal's reason, `report` what was copied and
 * what failed before, so a caller can say which files DEST holds now rather
 * than only that it stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyncInterruptedError } from "./sync_interrupted.ts";
 * const report = { dest: "/out", total: 5, copied: [{ path: "/a", dest: "/out/a" }], failed: [] };
 * const e = new SyncInterruptedError(report, new DOMException("interrupted", "AbortError"));
 * assert.equal(e.report.copied.length, 1);
 * assert.match(e.message, /^sync interrupted after 1 of 5 manifest entries: 1 copied to \/out/);
 * ```
 */
export class SyncInterruptedError extends VcError {
  /** What the sync did before it was stopped. */
  readonly report: SyncInterruptedReport;
  /** The error of a sync stopped by its signal, `cause` the signal's reason. */
  constructor(report: SyncInterruptedReport, cause: unknown) {
    const { copied, failed, total } = report;
    const unchanged = report.unchanged?.length ?? 0;
    const kept = keptPartialsSaid(
      (report.keptPartials ?? []).map((k) => ({ ...k, name: k.path })),
    );
    const decided = copied.length + unchanged + failed.length;
    const entries = `${total === 1 ? "entry" : "entries"}`;
    if (report.dryRun === true) {
      super(
        `sync (dry run) interrupted after ${decided} of ${total} manifest ${entries}: ` +
          `nothing was changed; run it again for the whole list`,
        { cause },
      );
      this.report = report;
      return;
    }
    super(
      `sync interrupted after ${copied.length + unchanged + failed.length} of ${total} manifest ` +
        `${total === 1 ? "entry" : "entries"}: ${copied.length} copied to ${report.dest}, ` +
        `${unchanged > 0 ? `${unchanged} unchanged, ` : ""}` +
        `${failed.length} failed; ` +
        // A download cut with its partial kept: said, not taken for lost.
        (kept === "" ? "" : `${kept}; `) +
        "the rest was not copied: run it again to finish",
      { cause },
    );
    this.report = report;
  }
}
