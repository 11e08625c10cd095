/**
 * Windows' refusals of a remove, for tests of the Windows strategy's LOGIC on
 * Linux: `fsPlatform.mandatoryLocks` switched on and `Deno.remove` failing
 * for one file as Windows fails it while another program holds the file.
 */
import { withFsPlatform } from "../src/fs_platform.ts";

/** A sharing violation (os error 32): a plain `Error`, as Deno throws it. */
export function sharingViolation(path: string): Error {
  return new Error(
    "The process cannot access the file because it is being used by another process. " +
      `(os error 32): remove '${path}'`,
  );
}

/** "Access is denied" (os error 5): what a memory-mapped file's remove gets. */
export function accessDenied(path: string): Error {
  return new Deno.errors.PermissionDenied(`Access is denied. (os error 5): remove '${path}'`);
}

/**
 * Runs `fn` as on Windows with removals of `held` refused with `refusal` for
 * the first `refusals` tries. Returns how often its removal was tried.
 */
export async function whileRemoveRefused(
  held: string,
  refusals: number,
  refusal: (path: string) => Error,
  fn: () => Promise<void>,
): Promise<number> {
  const { remove } = Deno;
  let tries = 0;
  Deno.remove = (path, options) => {
    if (String(path) !== held) return remove(path, options);
    tries++;
    return refusals-- > 0 ? Promise.reject(refusal(held)) : remove(path, options);
  };
  try {
    await withFsPlatform({ mandatoryLocks: true }, fn);
  } finally {
    Deno.remove = remove;
  }
  return tries;
}
