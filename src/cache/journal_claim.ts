/**
 * Where the file system gives no locks, one compaction of a record journal
 * at a time: a compaction replaces the journal it read, so a second one that
 * read the same journal would replace the first one's result, and the lines
 * appended to that result meanwhile with it. The claim is the creation
 * (`O_EXCL`) of the journal's shared temp name, which needs no lock; one
 * left by a compaction that died is taken over once
 * {@linkcode STALE_CLAIM_MS} old (a compaction takes milliseconds), and is a
 * temp file the cache's sweep removes. Its age is read on the clock that
 * set its mtime, the file server's (the shares that give no locks are
 * mostly network ones): against the journal's mtime, which the append that
 * asked for the compaction just set. Against this machine's clock, whose
 * difference from the server's may exceed a minute, only past
 * `CLOCK_MARGIN_MS` (a claim an instant old, read as a dead one's, let two
 * compactions run at once).
 *
 * @module
 */
import { sharedTempPathFor } from "../atomic_write.ts";
import { CLOCK_MARGIN_MS } from "../clock_margin.ts";

/** Age (ms, by the file server's clock) past which a claim is taken for a dead compaction's. */
export const STALE_CLAIM_MS = 60_000;

/**
 * Claims `journalPath` for a compaction without locks: a function that lets
 * the claim go, or undefined while another process holds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimCompaction } from "./journal_claim.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const release = claimCompaction(`${dir}/%records.jsonl`);
 *   assert(release !== undefined);
 *   assert.equal(claimCompaction(`${dir}/%records.jsonl`), undefined);
 *   release();
 *   claimCompaction(`${dir}/%records.jsonl`)?.();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function claimCompaction(journalPath: string): (() => void) | undefined {
  const claim = sharedTempPathFor(journalPath);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      Deno.openSync(claim, { write: true, createNew: true }).close();
      return () => {
        try {
          Deno.removeSync(claim);
        } catch {
          // Gone already (swept): nothing to let go.
        }
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) return undefined;
      try {
        const claimed = Deno.lstatSync(claim).mtime?.getTime();
        if (claimed === undefined) return undefined;
        // The server's time: the journal's mtime (when missing, this clock's alone).
        const serverNow = Deno.lstatSync(journalPath).mtime?.getTime() ?? claimed;
        const dead = serverNow - claimed >= STALE_CLAIM_MS ||
          Date.now() - claimed > CLOCK_MARGIN_MS;
        if (!dead) return undefined;
        Deno.removeSync(claim);
      } catch {
        // Let go meanwhile: tried once more.
      }
    }
  }
  return undefined;
}
