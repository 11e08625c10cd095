import { COARSE_CLOCK_MARGIN_MS } from "../src/cache/last_use_keep.ts";

/**
 * Deno gives the ctime to the second only, so verify puts an access time
 * back only on a file last changed in an earlier second than its read (by
 * the kernel's coarse-clock margin): waits (bounded) until the second of
 * `path`'s last change, and that margin, are over.
 */
export async function pastChangeSecond(path: string): Promise<void> {
  const changed = Math.floor((await Deno.lstat(path)).ctime!.getTime() / 1000);
  const over = () => Math.floor((Date.now() - 2 * COARSE_CLOCK_MARGIN_MS) / 1000) > changed;
  for (let i = 0; i < 40 && !over(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
