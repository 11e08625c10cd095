/**
 * Whether something is at a path, for the tests' checks of what a run kept
 * or removed: one copy instead of one a test file. Only a missing path
 * (`NotFound`, `NotADirectory`) is false; any other failure of the look is
 * thrown, so `assert(!(await exists(p)))` cannot pass on a look that was
 * refused (the copies that took every error for "not there" could).
 * Not following a link: a dangling link is something.
 */
import { lstatOrUndefined, statusOrUndefinedSync } from "../src/file_status.ts";

/** Whether something is at `path` (not following a link). */
export async function exists(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path)) !== undefined;
}

/** {@linkcode exists}, synchronous. */
export function existsSync(path: string): boolean {
  return statusOrUndefinedSync(path) !== undefined;
}
