/**
 * Where the warnings of a listing that was given no `onWarning` go: an
 * `FsStore` listing skips what no key can name (a file another program put
 * in the directory) and says so. Many listings run deep inside a capability
 * (`vc ls-remote`, `vc repo check`, `vc repo gc`, a mirror), and threading a
 * callback through each would miss some; so, as a store's retries are
 * (retry_notice.ts), they are told process-wide: the program that wants to
 * tell a person (the CLI, once for the whole run, through its output)
 * listens. No listener: `console.warn`, with the message made inert, since
 * it names a file whose name may hold a terminal escape.
 *
 * @module
 */
import { printable } from "../printable.ts";
import type { ListWarning } from "./types.ts";
import { noticeBoard } from "./notice_board.ts";
import { warnOnStderr } from "../warning_line.ts";

/** Hears each listing warning (see {@linkcode listenToListWarnings}). */
export type ListWarningListener = (warning: ListWarning) => void;

const warnings = noticeBoard<ListWarning>();

/**
 * Makes `onWarning` hear the warnings of every store listing in this process
 * that was given no `onWarning` of its own, until the returned function is
 * called. Listeners are a set: two runs at once (in-process CLI runs in
 * tests) each stop only their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenToListWarnings, listWarned } from "./list_warning_notice.ts";
 * const heard: string[] = [];
 * const stop = listenToListWarnings((w) => heard.push(w.key));
 * listWarned({ key: "bad\\name", message: "skipped bad\\name" });
 * stop();
 * assert.deepEqual(heard, ["bad\\name"]);
 * ```
 */
export function listenToListWarnings(onWarning: ListWarningListener): () => void {
  return warnings.listen(onWarning);
}

/**
 * Tells the listeners of a listing warning, or, with none, writes it with
 * `console.warn`, inert. A listener that throws does not fail the listing:
 * telling is not the work.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenToListWarnings, listWarned } from "./list_warning_notice.ts";
 * const stop = listenToListWarnings(() => {
 *   throw new Error("a broken listener");
 * });
 * assert.doesNotThrow(() => listWarned({ key: "k", message: "skipped k" }));
 * stop();
 * ```
 */
export function listWarned(warning: ListWarning): void {
  if (!warnings.tell(warning)) warnOnStderr(printable(warning.message));
}
