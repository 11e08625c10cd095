/**
 * Named pipes (FIFOs) for tests of inputs that are not regular files: a
 * FIFO with no writer blocks whoever opens it, so each is a real barrier,
 * also for root (as CI runs). POSIX only: tests using it are ignored on
 * Windows.
 */

/** Makes a FIFO at `path`; throws when `mkfifo` fails. */
export function mkfifo(path: string): void {
  const r = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  if (!r.success) throw new Error(`mkfifo ${path} failed`);
}
