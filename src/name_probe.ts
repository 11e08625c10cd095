/**
 * Whether the file system of one directory tells letter case and Unicode
 * form apart, asked of the directory itself rather than guessed from the
 * operating system: Linux reaches case-insensitive file systems (WSL's
 * `/mnt/c`, an SMB share, a FAT or exFAT stick, an ext4 `casefold`
 * directory), and macOS and Windows reach case-sensitive ones. The probe
 * makes one temp file with a lower-case name in the directory, looks for it
 * by its upper-case spelling (and by its decomposed Unicode form), and
 * removes it (always, also when a look throws). Where no file can be made
 * (a read-only directory) it looks up the first name there with a letter in
 * the other letter case instead; a directory vc only reads (a local →
 * store mirror's source) is asked that way alone (`{ write: false }`), so
 * nothing appears in it for another reader of it (a second upload, a
 * watch) to list or see an event for. One probe per directory per process;
 * where neither can run (an empty read-only directory) the operating
 * system's default stands (`fsPlatform.caseInsensitive`).
 *
 * @module
 */
import { basename, dirname, join } from "./path.ts";
import { tempPathFor } from "./atomic_write.ts";
import { fsPlatform } from "./fs_platform.ts";

/**
 * How the probe looks a name up: `Deno.lstatSync`, replaced by tests
 * (through {@linkcode withNameProbe}) with one that answers as a
 * case-insensitive file system does.
 */
export interface NameProbe {
  /** The status of `path`, not following a link; throws `Deno.errors.NotFound` when nothing is there. */
  lstat: (path: string) => Deno.FileInfo;
}

const probe: NameProbe = { lstat: (path) => Deno.lstatSync(path) };

/** Each probed directory's answer (a probe that could not run is not kept). */
const answers = new Map<string, boolean>();

/**
 * Whether names that differ only in letter case or Unicode form name one
 * file in `dir` (or, while `dir` does not exist yet, in its nearest existing
 * parent, where it will be made): the probe's answer, or
 * `fsPlatform.caseInsensitive` where no probe could run there. Synchronous,
 * for the cache's layout (one probe per directory and process: a lookup
 * after that).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namesFoldIn } from "./name_probe.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   if (Deno.build.os === "linux") assert.equal(namesFoldIn(dir), false);
 *   assert.deepEqual([...Deno.readDirSync(dir)], []); // the probe left nothing
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function namesFoldIn(dir: string, options?: ProbeOptions): boolean {
  return probeNames(dir, options) ?? fsPlatform.caseInsensitive;
}

/** How a directory may be probed. */
export interface ProbeOptions {
  /**
   * Whether the probe may make (and remove) a temp file in the directory
   * (default true); false for a directory vc only reads: only the names it
   * holds are looked up in their other letter case.
   */
  write?: boolean;
}

/**
 * The probe's answer for `dir` (see {@linkcode namesFoldIn}), `undefined`
 * where it could not run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeNames } from "./name_probe.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(typeof probeNames(dir), "boolean");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function probeNames(dir: string, options?: ProbeOptions): boolean | undefined {
  let answer = answers.get(dir);
  if (answer === undefined) {
    answer = options?.write === false ? probeListed(dir) : probeOnce(dir);
    // A directory that could not be probed (empty and read-only now) is asked again next time.
    if (answer !== undefined) answers.set(dir, answer);
  }
  return answer;
}

/**
 * Runs `fn` with the probe's look-up replaced (tests: a case-insensitive
 * file system on Linux) and no answer remembered from before or during it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basename, dirname } from "node:path";
 * import { probeNames, withNameProbe } from "./name_probe.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   // A file system that finds a name in any letter case.
 *   const lower = (p: string) => `${dirname(p)}/${basename(p).toLowerCase()}`;
 *   const folding = {
 *     lstat: (p: string) => {
 *       try {
 *         return Deno.lstatSync(p);
 *       } catch {
 *         return Deno.lstatSync(lower(p));
 *       }
 *     },
 *   };
 *   assert.equal(await withNameProbe(folding, () => probeNames(dir)), true);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function withNameProbe<T>(
  replaced: NameProbe,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = probe.lstat;
  probe.lstat = replaced.lstat;
  answers.clear();
  try {
    return await fn();
  } finally {
    probe.lstat = saved;
    answers.clear();
  }
}

/** The probe's file name before its temp suffix: lower-case letters, and `é` composed. */
const PROBE_STEMS = ["case-probe-\u00e9", "case-probe"];

function probeOnce(dir: string): boolean | undefined {
  // A name with `é` tells Unicode forms too; a file system that takes no
  // such name (a FAT stick mounted without UTF-8) is asked with ASCII alone.
  stems: for (const stem of PROBE_STEMS) {
    // A temp file removed before it was looked up (another host's sweep of
    // a shared directory: this host's pid means nothing there) told
    // nothing: a second one is made, rather than the OS default standing
    // for this process alone.
    for (let attempt = 0; attempt < 2; attempt++) {
      // A temp name: the sweeps remove one a killed process left, and a
      // mirror's walk of its target passes over it.
      const path = tempPathFor(join(dir, stem));
      try {
        Deno.openSync(path, { write: true, createNew: true }).close();
      } catch (error) {
        if (error instanceof Deno.errors.NotFound && stem === PROBE_STEMS[0]) {
          // Not made yet: the directory it will be made in (a mirror's first run).
          const parent = dirname(dir);
          return parent === dir ? undefined : probeNames(parent);
        }
        continue stems;
      }
      let answer: boolean | undefined;
      try {
        answer = foldsTo(dir, basename(path), true);
      } catch {
        return undefined;
      } finally {
        try {
          Deno.removeSync(path);
        } catch {
          // Gone already.
        }
      }
      if (answer !== undefined) return answer;
    }
  }
  return probeListed(dir);
}

/**
 * Whether `name` in `dir` is found by its other spellings (upper case,
 * decomposed Unicode; `undefined`: the file went away meanwhile, so the
 * looks told nothing).
 */
function foldsTo(dir: string, name: string, lower: boolean): boolean | undefined {
  const spellings = [lower ? name.toUpperCase() : name.toLowerCase(), name.normalize("NFD")]
    .filter((n) => n !== name);
  for (const other of spellings) if (found(join(dir, other))) return true;
  return found(join(dir, name)) ? false : undefined;
}

/**
 * A directory that takes no file (read-only): the first name it holds with
 * a letter whose other spelling it does not list, looked up by that spelling.
 */
function probeListed(dir: string): boolean | undefined {
  try {
    const names = new Set<string>();
    for (const entry of Deno.readDirSync(dir)) names.add(entry.name);
    for (const name of names) {
      const lower = name.toLowerCase();
      const other = name === lower ? name.toUpperCase() : lower;
      if (other === name) continue;
      // Both spellings listed: two files, so the names are told apart.
      if (names.has(other)) return false;
      return foldsTo(dir, name, name === lower);
    }
  } catch {
    // Not readable: nothing to tell by.
  }
  return undefined;
}

function found(path: string): boolean {
  try {
    probe.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
