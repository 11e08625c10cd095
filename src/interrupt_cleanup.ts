/**
 * What a process must undo when it is interrupted and cannot wait for its
 * operations to unwind: pieces that hold files (entry locks with empty
 * records, say) register a cleanup here when they first need one, and
 * `cli.ts` runs them all before it exits on an interrupt. Nothing registers
 * at import time.
 *
 * @module
 */

const cleanups = new Set<() => void>();

/**
 * Registers `cleanup` (synchronous, must not throw) to run on an interrupted
 * exit; returns a function that unregisters it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registerInterruptCleanup, runInterruptCleanups } from "./interrupt_cleanup.ts";
 * let ran = 0;
 * const unregister = registerInterruptCleanup(() => ran++);
 * runInterruptCleanups();
 * unregister();
 * runInterruptCleanups();
 * assert.equal(ran, 1);
 * ```
 */
export function registerInterruptCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup once (a failing one does not stop the others). */
export function runInterruptCleanups(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is exiting.
    }
  }
}
