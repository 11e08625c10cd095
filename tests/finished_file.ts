/**
 * Test helper: dates a source file an hour back, so the cache takes it for a
 * finished file and trusts its copy for the TTL. A `file://` source modified
 * moments ago may still be being written, and its copy is asked about again
 * at the next use (see `mayBeBeingWritten` in `src/store/fs_validator.ts`).
 */

/** Sets the modification time of the file at `path` an hour back. */
export async function writtenLongAgo(path: string): Promise<void> {
  const then = new Date(Date.now() - 3600_000);
  await Deno.utime(path, then, then);
}
