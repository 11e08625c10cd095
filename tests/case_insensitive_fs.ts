/**
 * A case-insensitive file system simulated on Linux for tests (a real one
 * needs root: a vfat or casefold ext4 mount): the OS default says names
 * fold, and the per-directory probe (`src/name_probe.ts`) finds a name in
 * any letter case or Unicode form, as such a file system does. It proves
 * vc's logic for such a file system, not the file system's own semantics.
 */
import { basename, dirname, join } from "node:path";
import { foldName } from "../src/file_names.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withNameProbe } from "../src/name_probe.ts";

/** `Deno.lstat` as a case-insensitive file system answers it: a name in any case finds the file. */
export function foldingLstat(path: string): Deno.FileInfo {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const dir = dirname(path);
    const want = foldName(basename(path));
    for (const entry of Deno.readDirSync(dir)) {
      if (foldName(entry.name) === want) return Deno.lstatSync(join(dir, entry.name));
    }
    throw error;
  }
}

/** {@linkcode foldingLstat} counting its looks: `looks()` tells how many the probe made. */
export function countingFoldingLstat(): {
  lstat: (path: string) => Deno.FileInfo;
  looks: () => number;
} {
  let looks = 0;
  return {
    lstat: (path) => {
      looks++;
      return foldingLstat(path);
    },
    looks: () => looks,
  };
}

/** Runs `fn` as on a case-insensitive file system (OS default and probe both say so). */
export function withCaseInsensitiveFs<T>(fn: () => T | Promise<T>): Promise<T> {
  return withFsPlatform(
    { caseInsensitive: true },
    () => withNameProbe({ lstat: foldingLstat }, fn),
  );
}
