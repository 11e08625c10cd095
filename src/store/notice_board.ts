/**
 * A process-wide board of listeners for one kind of notice (a store's
 * retries, a listing's warnings): told deep inside a capability, heard by
 * the program that wants to tell a person (the CLI, once for the whole run).
 * Listeners are a set, not a stack: two runs at once (in-process CLI runs in
 * tests) each stop only their own.
 *
 * @module
 */

/** Where notices of type `T` are told and heard (see {@linkcode noticeBoard}). */
export interface NoticeBoard<T> {
  /** Makes `hear` hear every notice told until the returned function is called. */
  listen(hear: (notice: T) => void): () => void;
  /**
   * Tells each listener of `notice`; false when there was none. A listener
   * that throws does not fail the caller: telling is not the work.
   */
  tell(notice: T): boolean;
}

/**
 * A new, empty board.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noticeBoard } from "./notice_board.ts";
 * const board = noticeBoard<number>();
 * const heard: number[] = [];
 * const stop = board.listen((n) => heard.push(n));
 * assert.equal(board.tell(1), true);
 * stop();
 * assert.equal(board.tell(2), false);
 * assert.deepEqual(heard, [1]);
 * ```
 */
export function noticeBoard<T>(): NoticeBoard<T> {
  const listeners = new Set<(notice: T) => void>();
  return {
    listen(hear) {
      // Wrapped, so the same function given twice is two listeners, each stopped once.
      const listener = (notice: T) => hear(notice);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    tell(notice) {
      const heard = listeners.size > 0;
      for (const listener of listeners) {
        try {
          listener(notice);
        } catch {
          // see NoticeBoard.tell
        }
      }
      return heard;
    },
  };
}
