/**
 * Counting the files a piece of code opens, for the tests that hold a copy
 * or a sync to reading (or writing) each file once, or not at all.
 *
 * @module
 */

/** Runs `fn` counting the opens of each path (in this process), for reading and for writing. */
export async function countingOpens<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; reads: string[]; writes: string[] }> {
  const reads: string[] = [];
  const writes: string[] = [];
  const open = Deno.open;
  const openSync = Deno.openSync;
  const counted = (path: string | URL, options?: Deno.OpenOptions) => {
    const o = options ?? { read: true };
    if (o.write || o.append || o.create || o.createNew || o.truncate) writes.push(String(path));
    else reads.push(String(path));
  };
  Deno.open = (path, options) => {
    counted(path, options);
    return open(path, options);
  };
  Deno.openSync = (path, options) => {
    counted(path, options);
    return openSync(path, options);
  };
  try {
    return { value: await fn(), reads, writes };
  } finally {
    Deno.open = open;
    Deno.openSync = openSync;
  }
}
