/**
 * Which names a local file cannot have on this platform: one check, used by
 * every place that turns an untrusted name into a local file (a store →
 * local `vc mirror`'s keys, `vc sync`'s manifest paths).
 *
 * Where file names ignore letter case and Unicode form (`fsPlatform.caseInsensitive`:
 * macOS, Windows), two names may also be one file ({@linkcode foldName}),
 * and anywhere one path cannot be a file while another needs it as a
 * directory ({@linkcode pathClashes}).
 *
 * On Windows (`fsPlatform.windowsNames`, switchable in tests with
 * `withFsPlatform`) a name is no file name when it holds `<>:"|?*` or a
 * control character (`a.csv:x` writes an alternate data stream of `a.csv`)
 * or a backslash (a separator there: `a\b.csv` is `b.csv` in directory `a`),
 * is a device name (`con`, `nul.txt`: the console, the null device), or ends
 * with a dot or a space (`a.` is the file `a`), or has the form of an 8.3
 * short name (`progra~1`, `report~1.csv`: where short names are made, the
 * short name of another file in the directory). Written anyway, it would not
 * be the file it names. Linux and macOS take all of these.
 *
 * @module
 */
import { fsPlatform } from "./fs_platform.ts";
import { codePointLabel, hiddenCharacter, quoted } from "./printable.ts";
import { compareUtf8 } from "./utf8.ts";

// deno-lint-ignore no-control-regex
const WINDOWS_FORBIDDEN = /[<>:"|?*\x00-\x1f]/;
/**
 * Windows' device names, with or without an extension and in any case
 * (`con.txt` is the console, `CONIN$` its input), trailing spaces before the
 * dot included. `COM0` and `LPT0` too: Microsoft lists them among the names
 * to avoid. The one list of them: the cache escapes such a name
 * (`src/cache/layout.ts`), a mirror, `vc sync` and a directory store refuse
 * it ({@linkcode windowsNameProblem}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WINDOWS_DEVICE_NAME } from "./file_names.ts";
 * assert(WINDOWS_DEVICE_NAME.test("CONIN$") && WINDOWS_DEVICE_NAME.test("com0.txt"));
 * assert(!WINDOWS_DEVICE_NAME.test("console.txt"));
 * ```
 */
export const WINDOWS_DEVICE_NAME: RegExp =
  /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(\.|$)/i;

/**
 * The form of a Windows 8.3 short name (`PROGRA~1`, `longer~1.csv`): a base
 * of at most 8 characters ending in `~` and a number, and an extension of at
 * most 3, in any case. Where the volume makes short names (the system drive,
 * by default), such a name opens the file whose short name it is:
 * `longer~1.csv` beside `longername.csv` is that file, so a key of this
 * form would be written over another's file. The cache escapes its `~`
 * on Windows and in any cache dir whose names fold (a vfat stick, an NTFS
 * or SMB mount make short names on Linux too: `src/cache/layout.ts`); a
 * mirror, `vc sync` and a directory store on Windows refuse it
 * ({@linkcode windowsNameProblem}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WINDOWS_SHORT_NAME } from "./file_names.ts";
 * assert(WINDOWS_SHORT_NAME.test("PROGRA~1") && WINDOWS_SHORT_NAME.test("longer~1.csv"));
 * assert(!WINDOWS_SHORT_NAME.test("backup~2024.tar.gz") && !WINDOWS_SHORT_NAME.test("a~b.txt"));
 * ```
 */
export const WINDOWS_SHORT_NAME: RegExp = /^(?=[^.]{3,8}(\.[^.]{1,3})?$)[^.~]+~[1-9][0-9]*(\.|$)/;

/**
 * Why `name` (one path segment) cannot be a file name on Windows, or
 * `undefined` when it can; whatever the platform vc runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsNameProblem } from "./file_names.ts";
 * assert.equal(windowsNameProblem("a.csv"), undefined);
 * assert(windowsNameProblem("a.csv:x")?.includes("character"));
 * assert(windowsNameProblem("a\\b.csv")?.includes("backslash"));
 * assert(windowsNameProblem("NUL.txt")?.includes("device name"));
 * assert(windowsNameProblem("a.")?.includes("dot"));
 * assert(windowsNameProblem("progra~1")?.includes("short name"));
 * ```
 */
export function windowsNameProblem(name: string): string | undefined {
  // A segment of a `/`-separated key or logical path may hold one (S3 and
  // the catalog take it); on Windows it would split the name into
  // directories, or be dropped with what precedes it by a path's basename.
  if (name.includes("\\")) return "holds a backslash, which separates directories on Windows";
  if (WINDOWS_FORBIDDEN.test(name)) {
    return 'holds a character Windows file names cannot (<>:"|?* or a control character)';
  }
  if (/[. ]$/.test(name)) return "ends with a dot or a space, which Windows drops";
  if (WINDOWS_DEVICE_NAME.test(name)) return "is a device name on Windows";
  if (WINDOWS_SHORT_NAME.test(name)) {
    return "has the form of a Windows 8.3 short name, which can open another file of its directory";
  }
  return undefined;
}

/**
 * Why `name`, a name about to be recorded (a repository's path or tag, a
 * manifest's path, a claim holder, an uploaded file's name), would list as
 * another name, or `undefined` when it would not: it holds a character
 * {@linkcode hiddenCharacter} names (invisible, a bidirectional control, a
 * lone surrogate, a noncharacter), or it starts or ends with whitespace
 * (after a path's leading `/`), which no listing shows: `/a.csv ` lists as
 * `/a.csv`. The one check of every new name: a name recorded before it (in
 * a catalog, a manifest) is still read and listed, escaped. A segment that
 * ends with a dot (`dir.`) is no such name: it shows as itself, and is
 * refused only where Windows would write it as another file
 * ({@linkcode localPathProblem}). `spaceAtEnds`: whitespace at the ends is
 * allowed (an uploaded file's name, kept as its client sent it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newNameProblem } from "./file_names.ts";
 * assert.equal(newNameProblem("/data/a.csv"), undefined);
 * assert.match(newNameProblem("/a\u202egnp.csv") ?? "", /U\+202E RIGHT-TO-LEFT OVERRIDE at index 2/);
 * assert.match(newNameProblem("/x/a.csv ") ?? "", /ends with whitespace \(U\+0020\)/);
 * assert.equal(newNameProblem("/dir./notes."), undefined);
 * assert.equal(newNameProblem("notes. ", { spaceAtEnds: true }), undefined);
 * ```
 */
export function newNameProblem(
  name: string,
  { spaceAtEnds = false }: { spaceAtEnds?: boolean } = {},
): string | undefined {
  const hidden = hiddenCharacter(name);
  if (hidden !== undefined) {
    return `holds ${hidden}, a character that shows as nothing or changes how the text ` +
      "around it is shown: every listing would show it as another name; type it without " +
      "that character";
  }
  if (spaceAtEnds) return undefined;
  const rel = name.startsWith("/") ? name.slice(1) : name;
  const space = /^\s|\s$/u.exec(rel);
  if (space !== null) {
    const code = codePointLabel(space[0].codePointAt(0)!);
    return `${space.index === 0 ? "starts" : "ends"} with whitespace (${code}), which no ` +
      "listing shows: it would list as another name; type it without";
  }
  return undefined;
}

/** The longest file name (one path segment) local file systems take: bytes (UTF-16 units on Windows). */
export const MAX_NAME_BYTES = 255;

const utf8 = new TextEncoder();

/**
 * Why the relative path `rel` (segments separated by `/`) cannot be written
 * as a local file on this platform, naming the segment at fault, or
 * `undefined` when it can: a segment longer than {@linkcode MAX_NAME_BYTES}
 * (no local file system takes it; NTFS counts UTF-16 units, `windows`),
 * and where Windows' name rules hold (`windows`, default
 * `fsPlatform.windowsNames`) a segment they refuse
 * ({@linkcode windowsNameProblem}). Checked before a download: written
 * anyway, the copy failed at its rename, after the whole object came.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localPathProblem } from "./file_names.ts";
 * assert.equal(localPathProblem("data/a:b.csv", false), undefined);
 * assert.equal(
 *   localPathProblem("data/a:b.csv", true),
 *   'segment "a:b.csv" holds a character Windows file names cannot (<>:"|?* or a control character)',
 * );
 * assert.equal(localPathProblem("con/x.csv", true), 'segment "con" is a device name on Windows');
 * assert.match(localPathProblem(`d/${"x".repeat(256)}`, false) ?? "", /longer than 255 bytes/);
 * ```
 */
export function localPathProblem(
  rel: string,
  windows: boolean = fsPlatform.windowsNames,
): string | undefined {
  for (const part of rel.split("/")) {
    const length = windows ? part.length : utf8.encode(part).length;
    if (length > MAX_NAME_BYTES) {
      return `segment ${
        quoted(part)
      } is longer than ${MAX_NAME_BYTES} bytes, the longest file name`;
    }
    const why = windows ? windowsNameProblem(part) : undefined;
    if (why !== undefined) return `segment ${JSON.stringify(part)} ${why}`;
  }
  return undefined;
}

/**
 * `name` as a case-insensitive file system (macOS, Windows) compares names:
 * `A.csv` and `a.csv`, or `café` in NFC and NFD, are one file there. Beyond
 * ASCII, NTFS compares names by their upper case and APFS by Unicode case
 * folding, which join more than lower case does: the long s `ſ` and `s`, the
 * final sigma `ς` and `σ`, the micro sign `µ` and `μ`, `ß` and `ss`. Each
 * character is therefore folded as lower, upper, then lower case again
 * (one at a time, so `ς` folds to `σ` wherever it stands), which joins what
 * either system joins; a name it joins that one of them keeps apart
 * (`ß` and `ss` on NTFS) is reported as a clash, never written over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldName } from "./file_names.ts";
 * assert.equal(foldName("Data/A.csv"), foldName("data/a.csv"));
 * assert.equal(foldName("caf\u00e9"), foldName("cafe\u0301"));
 * assert.equal(foldName("\u017f.csv"), foldName("s.csv")); // the long s
 * ```
 */
export function foldName(name: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(name)) return name.toLowerCase();
  let folded = "";
  for (const c of name.normalize("NFD")) folded += c.toLowerCase().toUpperCase().toLowerCase();
  return folded.normalize("NFC");
}

/**
 * The relative paths of `rels` (segments separated by `/`, a leading `/`
 * allowed, as in manifest paths) that cannot be
 * written as files under one directory beside the others, each with why: a
 * path that names the same file as another (on a file system that does not
 * tell letter case or Unicode form apart, `caseInsensitive`, default
 * `fsPlatform.caseInsensitive`), or a path that is a directory of another
 * (`a` beside `a/b.csv`). Which one gives way does not depend on the order
 * of `rels`: of paths naming one file the first in UTF-8 order is kept, and
 * a file gives way to the files below it. Written anyway, they would take
 * turns in one file, or the outcome would depend on which was written first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathClashes } from "./file_names.ts";
 * assert.deepEqual([...pathClashes(["a", "a/b.csv", "c.csv"], false).keys()], ["a"]);
 * assert.deepEqual([...pathClashes(["X.csv", "x.csv"], false).keys()], []);
 * assert.deepEqual([...pathClashes(["x.csv", "X.csv"], true).keys()], ["x.csv"]);
 * assert.deepEqual([...pathClashes(["/a", "/a/b.csv"], false).keys()], ["/a"]);
 * ```
 */
export function pathClashes(
  rels: readonly string[],
  caseInsensitive: boolean = fsPlatform.caseInsensitive,
): Map<string, string> {
  const fold = (rel: string) => (caseInsensitive ? foldName(rel) : rel);
  const clashes = new Map<string, string>();
  // The file each folded name is: the first of its spellings in UTF-8 order.
  const files = new Map<string, string>();
  for (const rel of [...new Set(rels)].sort(compareUtf8)) {
    const first = files.get(fold(rel));
    if (first === undefined) files.set(fold(rel), rel);
    else {
      clashes.set(
        rel,
        `${JSON.stringify(first)} is the same file here (this file system does not tell letter ` +
          `case or Unicode form apart)`,
      );
    }
  }
  // Every directory the kept files need, with the first file below it.
  const dirs = new Map<string, string>();
  for (const [folded, rel] of files) {
    // From 1: a leading `/` (a manifest path) makes no directory of its own.
    for (let at = folded.indexOf("/", 1); at !== -1; at = folded.indexOf("/", at + 1)) {
      const dir = folded.slice(0, at);
      if (!dirs.has(dir)) dirs.set(dir, rel);
    }
  }
  for (const [folded, rel] of files) {
    const below = dirs.get(folded);
    if (below !== undefined) {
      clashes.set(rel, `${JSON.stringify(below)} needs it to be a directory`);
    }
  }
  return clashes;
}
