/**
 * Where the file system gives no locks, one compaction of a record journal
 * at a time is kept by a claim file, taken over as a dead compaction's once
 * a minute old. Its age was this machine's clock less the claim's mtime,
 * which the file server sets (NFS, SMB: the shares that give no locks): a
 * server a minute and a half behind this machine made a claim made an
 * instant ago a dead one's, so a second compaction ran beside the first and
 * replaced its result, with the records appended to it meanwhile. The age
 * is now read on the server's clock (the journal's mtime, set by the append
 * that asked for the compaction), and on this machine's only past the
 * clock margin of vc's other sweeps by age.
 */
import { assert, assertEquals } from "./assert.ts";
import { claimCompaction } from "../src/cache/journal_claim.ts";
import { sharedTempPathFor } from "../src/atomic_write.ts";
import { CLOCK_MARGIN_MS } from "../src/clock_margin.ts";

Deno.test("journal claim: a fresh claim on a file server whose clock is behind is not taken over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_journal_claim_server_clock_" });
  try {
    const journal = `${dir}/%records.jsonl`;
    const serverNow = new Date(Date.now() - 90_000); // the server's clock, 90 s behind
    Deno.writeTextFileSync(journal, "");
    Deno.utimeSync(journal, serverNow, serverNow); // just appended to, by the server's clock
    const claim = sharedTempPathFor(journal);
    Deno.writeTextFileSync(claim, ""); // another process's compaction, under way
    Deno.utimeSync(claim, serverNow, serverNow);
    assertEquals(claimCompaction(journal), undefined);
    // A dead compaction's claim is still taken over: a minute old by the server's clock…
    const older = new Date(serverNow.getTime() - 61_000);
    Deno.utimeSync(claim, older, older);
    const release = claimCompaction(journal);
    assert(release !== undefined);
    release();
    // …or past the clock margin by this machine's.
    const dead = new Date(Date.now() - CLOCK_MARGIN_MS - 60_000);
    Deno.writeTextFileSync(claim, "");
    Deno.utimeSync(claim, dead, dead);
    Deno.utimeSync(journal, dead, dead);
    const taken = claimCompaction(journal);
    assert(taken !== undefined, "a claim past the clock margin is a dead one's");
    taken();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
