/**
 * Group commit of journal records: the records handed in while the current
 * microtasks run go to their journal in one append (`appendRecords`: one
 * lock, one status check, one write), not one append each.
 *
 * Why: downloads finish in bursts. Their `fdatasync`s complete together, and
 * Deno resumes every operation that completed in an event loop turn before
 * it runs anything else, so a prefill's records arrive a few at a time, each
 * then paying ~30 µs of locking and checking for a ~100-byte line. Each
 * caller still waits for its own record to be written before it goes on (it
 * releases the entry's lock only then), so a waiter in another process still
 * finds the record once it has the lock.
 *
 * @module
 */
import type { EntryMeta } from "./entry_meta.ts";
import { appendRecords, type JournalRecord } from "./record_journal.ts";

interface Batch {
  records: JournalRecord[];
  done: PromiseWithResolvers<void>;
}

/**
 * Collects records per journal and appends each journal's records at once,
 * after the microtasks queued when the first of them arrived.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordBatcher } from "./journal_batch.ts";
 * import { lookupRecord } from "./record_journal.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const j = `${dir}/%records.jsonl`;
 *   const batcher = new RecordBatcher();
 *   const meta = (uri: string) => ({ uri, etag: "e", size: 1, validatedAt: 0 });
 *   await Promise.all([batcher.append(j, "a", meta("s3://b/a")), batcher.append(j, "b", meta("s3://b/b"))]);
 *   assert.equal(batcher.appends, 1); // both lines in one write
 *   assert.equal(lookupRecord(j, "b").kind, "record");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class RecordBatcher {
  #pending = new Map<string, Batch>();
  #appends = 0;

  /** Appends made so far (one per batch and journal). */
  get appends(): number {
    return this.#appends;
  }

  /**
   * Appends `name`'s record to the journal at `journalPath` together with
   * the others handed in during this turn; resolves once it is written,
   * rejects with the append's error (every record of the batch then shares
   * it: none or only some of them may have been written).
   */
  append(journalPath: string, name: string, meta: EntryMeta): Promise<void> {
    let batch = this.#pending.get(journalPath);
    if (batch === undefined) {
      const started: Batch = { records: [], done: Promise.withResolvers<void>() };
      batch = started;
      this.#pending.set(journalPath, started);
      // After the microtasks queued now: the downloads resumed in the same
      // turn reach this point in lockstep (measured: a 1000-object prefill
      // writes 140-170 batches; two turns of the queue gather no more).
      queueMicrotask(() => this.#flush(journalPath, started));
    }
    batch.records.push({ name, meta });
    return batch.done.promise;
  }

  #flush(journalPath: string, batch: Batch): void {
    this.#pending.delete(journalPath);
    this.#appends++;
    try {
      appendRecords(journalPath, batch.records);
      batch.done.resolve();
    } catch (error) {
      batch.done.reject(error);
    }
  }
}
