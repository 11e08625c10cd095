/**
 * Deno gives the ctime to the second only, so verify puts an access time
 * back only on a file last changed in an earlier second than its read:
 * waits (bounded) until the second of `path`'s last change is over.
 */
export async function pastChangeSecond(path: string): Promise<void> {
  const changed = Math.floor((await Deno.lstat(path)).ctime!.getTime() / 1000);
  for (let i = 0; i < 40 && Math.floor(Date.now() / 1000) <= changed; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
