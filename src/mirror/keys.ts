/**
 * Key mapping for `vc mirror`: how a file's path becomes a target key and
 * back, made explicit.
 *
 * - `sourcePrefix` (an absolute directory) is stripped from each file's
 *   absolute path; without it the key is the path relative to its SOURCE.
 * - `targetPrefix` is prepended, as a directory: `data`, `data/` and
 *   `/data/` all mean `data/`.
 *
 * No key ever starts with `/` or contains `//`: a prefix with an empty
 * segment (`a//b`, `s3://b//data`) is refused, as every store refuses it
 * (`checkDotSegments`), never collapsed into another prefix.
 *
 * @module
 */
import { pathBelow, resolve, sep } from "../path.ts";
import { InvalidInputError } from "../errors.ts";
import { tempNameProblem } from "../atomic_write.ts";
import { fsPlatform } from "../fs_platform.ts";
import { localPathProblem } from "../file_names.ts";
import { checkDotSegments, parseStoreRoot } from "../uri.ts";

/**
 * A key prefix as a directory: no leading slash, one trailing slash; `""`
 * for the root. Throws `InvalidInputError` naming the prefix (and `where`,
 * the store it came from, when given) for an empty, `.` or `..` segment (as
 * every store refuses one, `checkDotSegments`) or a backslash: in a key a backslash is a character like any other, not a
 * separator, so `s3://b/win\dir` taken as `win/dir` mirrored (and with
 * `--delete` deleted) the objects of another prefix than the one named. A
 * mirror refuses such keys in both directions, so a prefix holding one is
 * refused too, rather than guessed at.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizePrefix } from "./keys.ts";
 * assert.equal(normalizePrefix("/data/2024/"), "data/2024/");
 * assert.throws(() => normalizePrefix("data//2024"), /empty segment/);
 * assert.equal(normalizePrefix("data"), "data/");
 * assert.equal(normalizePrefix("/"), "");
 * assert.throws(() => normalizePrefix("win\\dir"), /backslash/);
 * assert.throws(() => normalizePrefix("./data"), /"\." path segment/);
 * ```
 */
export function normalizePrefix(prefix: string | undefined, where?: string): string {
  if (prefix === undefined) return "";
  if (prefix.includes("\\")) {
    throw new InvalidInputError(
      `prefix ${JSON.stringify(prefix)}${where === undefined ? "" : ` of ${where}`} holds a ` +
        `backslash, which a key keeps as a character, not a directory separator; ` +
        `write "/" between directories`,
    );
  }
  return prefixOf(prefix.split("/"), prefix, where);
}

// The segments as a directory prefix: empty, `.` and `..` ones refused as
// every store refuses them (`s3://b/p/./q` was quietly `p/q` here, and
// `s3://b/a//b` quietly `a/b`, while `openStore` refused the one and kept
// the other): never a key but the one written. One leading `/` is allowed
// (`--target-prefix /data`).
function prefixOf(segments: string[], prefix: string, where: string | undefined): string {
  const parts = segments.filter((p) => p !== "");
  checkDotSegments(prefix.replace(/^\//, ""), where ?? "", "prefix");
  return parts.length === 0 ? "" : `${parts.join("/")}/`;
}

/**
 * {@linkcode parseStoreRoot} for a store side of a mirror. There a plain
 * path is the local side, never a store: a file URI refused for its `?` or
 * `#` is told to percent-encode them, not to become a plain path, which the
 * mirror would then refuse as a second local side.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMirrorRoot } from "./keys.ts";
 * assert.throws(() => parseMirrorRoot("file:///srv/a#1"), (e: Error) =>
 *   e.message.includes("%23") && !e.message.includes("plain path"));
 * ```
 */
export function parseMirrorRoot(uri: string): void {
  parseStoreRoot(uri, { plainPathAdvice: false });
}

/**
 * An `s3://` URI with the prefix after its bucket as a directory, like
 * {@linkcode normalizePrefix} (`s3://b/x/y` → `s3://b/x/y/`). A prefix with
 * an empty segment (`s3://b//x`, `s3://b/x//y`) is refused, as every store
 * refuses it: a mirror never makes keys with one, nor mirrors another
 * prefix than the one named. Other URIs are returned as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeStoreUri } from "./keys.ts";
 * assert.equal(normalizeStoreUri("s3://b/pre"), "s3://b/pre/");
 * assert.throws(() => normalizeStoreUri("s3://b/a//b"), /empty segment.*"a\/b"/);
 * assert.equal(normalizeStoreUri("s3://b"), "s3://b");
 * assert.equal(normalizeStoreUri("file:///srv/x"), "file:///srv/x");
 * ```
 */
export function normalizeStoreUri(uri: string): string {
  const m = /^(s3:\/\/[^/]+)(\/.*)?$/i.exec(uri);
  if (m === null || m[2] === undefined) return uri;
  // A dot segment is named with the bucket, as `openStore` (S3Store) names
  // it, so every command refuses such a prefix in the same words.
  checkDotSegments(m[2].slice(1), m[1]!, "prefix");
  const prefix = normalizePrefix(m[2].slice(1), uri);
  return prefix === "" ? m[1]! : `${m[1]}/${prefix}`;
}

/**
 * The part of every key contributed by the SOURCE directory itself: `""`
 * without a source prefix, else the path of `source` below `sourcePrefix`
 * with a trailing slash. Throws `InvalidInputError` when `source` is not
 * inside `sourcePrefix`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sourceBase } from "./keys.ts";
 * assert.equal(sourceBase("/srv/data/2024/", "/srv/"), "data/2024/");
 * assert.equal(sourceBase("/srv/data", undefined), "");
 * assert.equal(sourceBase("/srv/data", "/srv/data/"), "");
 * ```
 */
export function sourceBase(source: string, sourcePrefix: string | undefined): string {
  if (sourcePrefix === undefined) return "";
  const abs = resolve(source);
  const prefix = resolve(sourcePrefix);
  const below = pathBelow(abs, prefix);
  if (below === undefined) {
    throw new InvalidInputError(
      `source ${JSON.stringify(source)} is not inside the sourcePrefix option ${
        JSON.stringify(sourcePrefix)
      }`,
    );
  }
  // A local path: on Windows `\\` separates its directories too.
  return prefixOf(below.split(sep === "\\" ? /[\\/]/ : "/"), below, `source ${source}`);
}

/**
 * Strips a normalised prefix from a key read from a store source (the
 * `--source-prefix` of the store → local direction); `undefined` when the key
 * is not under it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripPrefix } from "./keys.ts";
 * assert.equal(stripPrefix("a/b/c.txt", "a/"), "b/c.txt");
 * assert.equal(stripPrefix("x/c.txt", "a/"), undefined);
 * ```
 */
export function stripPrefix(key: string, prefix: string): string | undefined {
  if (prefix === "") return key;
  return key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
}

/**
 * Why a relative key cannot be written as a local file below a directory
 * (empty, `.` or `..` segments, a leading slash, NUL or backslash, a segment
 * longer than the 255 bytes of a file name), or `undefined` when it is safe.
 * Keys come from the store and are untrusted. On Windows (`os`; by default
 * `fsPlatform.windowsNames`, i.e. this platform) also a segment Windows
 * cannot hold as a name: `<>:"|?*` (`a.csv:x` would write an alternate data
 * stream of `a.csv`), a device name (`con`, `nul.txt`), or a trailing dot or
 * space; `vc sync` refuses such manifest paths by the same check
 * (`src/file_names.ts`). A name of the form of vc's temp files
 * (`.<name>.vc-tmp-<pid>-<random>`) is refused too, and where names fold
 * (`folds`: the target's file system, by default `fsPlatform.caseInsensitive`)
 * in any letter case or Unicode form, since there
 * `.big.bin.VC-TMP-0-SHARED` is the shared temp file a download of
 * `big.bin` writes into and renames away.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsafeLocalKey } from "./keys.ts";
 * assert.equal(unsafeLocalKey("a/b.txt"), undefined);
 * assert(unsafeLocalKey("../etc/passwd") !== undefined);
 * assert(unsafeLocalKey("a//b") !== undefined);
 * assert(unsafeLocalKey("d/.a.vc-tmp-1-abcdefgh") !== undefined);
 * assert(unsafeLocalKey(`d/${"x".repeat(256)}`) !== undefined);
 * assert(unsafeLocalKey("d/a.csv:x", "windows") !== undefined);
 * assert(unsafeLocalKey("d/.a.VC-TMP-0-SHARED", "linux", true) !== undefined);
 * assert.equal(unsafeLocalKey("d/.a.VC-TMP-0-SHARED", "linux", false), undefined);
 * ```
 */
export function unsafeLocalKey(
  key: string,
  os?: typeof Deno.build.os,
  folds: boolean = fsPlatform.caseInsensitive,
): string | undefined {
  const windows = os === undefined ? fsPlatform.windowsNames : os === "windows";
  if (key === "") return "empty key";
  if (key.includes("\0")) return "key contains NUL";
  if (key.includes("\\")) return "key contains a backslash";
  if (key.endsWith("/")) return "key names a directory";
  for (const part of key.split("/")) {
    if (part === "") return "key has an empty path segment";
    if (part === "." || part === "..") return `key has a "${part}" segment`;
  }
  // Also a segment longer than a file system takes: the download would
  // fetch the whole object, every run, only to fail at the rename.
  const why = localPathProblem(key, windows);
  if (why !== undefined) return `key's ${why}`;
  // vc's own temp names: such a file would be skipped by the next walk and
  // downloaded again on every run (and swept as a dead writer's leftover).
  const temp = tempNameProblem(key.slice(key.lastIndexOf("/") + 1), folds);
  return temp === undefined ? undefined : `key's ${temp}`;
}

/**
 * The file a key no file can have stands for where other tools write one for
 * it all the same (`aws s3 sync` downloads `a//b.txt` to `a/b.txt`, `e/./f`
 * to `e/f`, the data of `c/` to `c`): the key without its empty and `.`
 * segments. Undefined for a key without such segments, one with a `..`
 * segment (that file would be another key's place), or one that leaves no
 * name a file can have. A store → local `--delete` keeps that file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { standInFileKey } from "./keys.ts";
 * assert.equal(standInFileKey("a//b.txt"), "a/b.txt");
 * assert.equal(standInFileKey("e/./f"), "e/f");
 * assert.equal(standInFileKey("c/"), "c");
 * assert.equal(standInFileKey("x/../y"), undefined);
 * assert.equal(standInFileKey("a/b.txt"), undefined);
 * ```
 */
export function standInFileKey(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.includes("..")) return undefined;
  const kept = parts.filter((part) => part !== "" && part !== ".");
  if (kept.length === 0 || kept.length === parts.length) return undefined;
  const name = kept.join("/");
  return unsafeLocalKey(name) === undefined ? name : undefined;
}

/** Include and exclude patterns, matched against the relative key. */
export interface KeyFilter {
  /** Keys must match at least one of these (when any are given). */
  include?: readonly RegExp[];
  /** Keys matching any of these are left out. */
  exclude?: readonly RegExp[];
}

/** Which of a mirror's pattern lists (options `filter` and `exclude`) a pattern is in. */
export type PatternList = "filter" | "exclude";

/**
 * How messages about a filter pattern name it and say how to write one: a
 * script's options (`exclude pattern "*.swp"`, `exclude: ["\\.swp$"]`, the
 * default, {@linkcode OPTION_WORDS}) or `vc mirror`'s flags (`--exclude
 * "*.swp"`, `--exclude '\.swp$'`), so a script author is not sent to a
 * flag never typed.
 */
export interface PatternWords {
  /** Names the pattern `text` as given in `list`. */
  given: (list: PatternList, text: string) => string;
  /** Says how to give the expression `re` in `list`. */
  write: (list: PatternList, re: string) => string;
  /** Names both lists. */
  both: string;
}

/**
 * {@linkcode PatternWords} of the library: the `filter` and `exclude`
 * options, an expression written as the JavaScript string to pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPTION_WORDS } from "./keys.ts";
 * assert.equal(OPTION_WORDS.write("exclude", "\\.swp$"), 'exclude: ["\\\\.swp$"]');
 * ```
 */
export const OPTION_WORDS: PatternWords = {
  given: (list, text) => `${list} pattern ${JSON.stringify(text)}`,
  write: (list, re) => `${list}: [${JSON.stringify(re)}]`,
  both: "the filter and exclude options",
};

/**
 * Compiles `filter` / `exclude` strings, naming the bad one on error (in
 * `words`: the options by default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFilter, matchesFilter } from "./keys.ts";
 * const f = compileFilter(["\\.csv$"], ["^tmp/"]);
 * assert(matchesFilter(f, "a/b.csv"));
 * assert(!matchesFilter(f, "tmp/b.csv"));
 * assert(!matchesFilter(f, "a/b.txt"));
 * ```
 */
export function compileFilter(
  include: readonly string[] = [],
  exclude: readonly string[] = [],
  words: PatternWords = OPTION_WORDS,
): KeyFilter {
  const compile = (list: PatternList) => (text: string): RegExp => {
    let re: RegExp;
    try {
      re = new RegExp(text, "u");
    } catch (error) {
      // A glob, as rclone's and `aws s3 sync`'s filters take (`*.swp`): the
      // expression it means, said.
      const re = regexOfGlob(text);
      const hint = re === undefined ? "" : ` (${words.both} take regular expressions, ` +
        `not globs: for the glob ${text}, write ${words.write(list, re)})`;
      throw new InvalidInputError(
        `${words.given(list, text)} is not a valid regular expression${hint}`,
        { cause: error },
      );
    }
    const flat = flattenedNestedRepeat(text);
    if (flat !== undefined) {
      throw new InvalidInputError(
        `${words.given(list, text)} repeats a group that is itself one repeated piece: ` +
          `matching a long key it fails on would try every way of splitting it, exponentially ` +
          `many, and never end (JavaScript cannot stop a match once started); it matches ` +
          `the same keys as ${words.write(list, flat)}, write that`,
      );
    }
    return re;
  };
  return { include: include.map(compile("filter")), exclude: exclude.map(compile("exclude")) };
}

// A group whose body is one repeated atom (an escape, a class, one character),
// itself repeated without bound: `(a+)+`, `(?:\d*)*`, `(?<n>[a-z]{2,})+`.
const NESTED_REPEAT = new RegExp(
  String.raw`^\((?:\?:|\?<[A-Za-z_$][\w$]*>)?` +
    String.raw`(\\(?:[pPu]\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|c[A-Za-z]|.)|` +
    String.raw`\[(?:\\.|[^\]\\])*\]|[^()|\\[\]{}*+?^$])` +
    String.raw`(\+|\*|\{(\d+),\})\??\)(\+|\*|\{(\d+),\})\??`,
  "su",
);

/**
 * For a pattern with a repeated group whose body is one repeated atom
 * (`(a+)+$`, the classic catastrophic backtracking), the same pattern with
 * that group written as the atom repeated once (`a+$`); else undefined. A
 * pattern with a backreference is left as it is (dropping a group would
 * renumber them).
 */
function flattenedNestedRepeat(text: string): string | undefined {
  if (/\\[1-9]|\\k</.test(text)) return undefined;
  let inClass = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") {
      const m = NESTED_REPEAT.exec(text.slice(i));
      if (m === null) continue;
      const atom = m[1]!;
      // The least counts of the inner repeat and of the outer one.
      const inner = m[2] === "+" ? 1 : m[2] === "*" ? 0 : Number(m[3]);
      const outer = m[4] === "+" ? 1 : m[4] === "*" ? 0 : Number(m[5]);
      // Some of `outer` (or more) runs of at least `inner` each: any count
      // from `inner * outer` on; with no run at all allowed, also none.
      const least = outer >= 1 ? inner * outer : inner <= 1 ? 0 : -1;
      const repeat = least === -1
        ? `(?:${atom}{${inner},})?`
        : `${atom}${least === 0 ? "*" : least === 1 ? "+" : `{${least},}`}`;
      return text.slice(0, i) + repeat + text.slice(i + m[0].length);
    }
  }
  return undefined;
}

/**
 * Warnings for `filter` / `exclude` patterns that are valid regular
 * expressions but read as globs (named in `words`: the options by default): `cache/*` means `cache` then any number
 * of `/` (so it matches `data/cached.csv` too), not the files below
 * `cache/`; `tmp*` (as `aws s3 sync --exclude` takes it) means `tm` then
 * any number of `p`, anywhere in a key (so `site/index.html` too). Each
 * names the pattern and the expression the glob means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globLookalikes } from "./keys.ts";
 * assert.equal(globLookalikes([], ["\\.tmp$", "^cache/"]).length, 0);
 * assert.ok(globLookalikes([], ["cache/*"])[0]!.endsWith('write exclude: ["^cache/.*$"]'));
 * assert.ok(globLookalikes([], ["tmp*"])[0]!.endsWith('write exclude: ["(^|/)tmp[^/]*$"]'));
 * ```
 */
export function globLookalikes(
  include: readonly string[] = [],
  exclude: readonly string[] = [],
  words: PatternWords = OPTION_WORDS,
): string[] {
  const out: string[] = [];
  for (const [name, list] of [["filter", include], ["exclude", exclude]] as const) {
    for (const text of list) {
      // `/*`: a bare `/` repeated, which no one means in a key pattern.
      if (/(^|[^\\])\/\*/.test(text)) {
        const re = regexOfGlob(text.replace(/\/\*(?!\*)/g, "/**"));
        if (re === undefined) continue;
        out.push(
          `${words.given(name, text)} is a regular expression, where "/*" means any number ` +
            `of "/" (it matches keys that merely contain what comes before it); for the files ` +
            `below that directory, write ${words.write(name, re)}`,
        );
        continue;
      }
      // `tmp*`, `report-*.csv` (`aws s3 sync --exclude`'s globs): a `*` after a
      // plain character, in a pattern with nothing else of an expression (no
      // anchor, escape, group, class, `|` or `+`), repeats that character and
      // matches anywhere in a key: `tmp*` leaves out `site/index.html`.
      if (/[\\^$()[\]{}|+]/.test(text) || !/[^.*?]\*/.test(text)) continue;
      const re = regexOfGlob(text);
      if (re === undefined) continue;
      out.push(
        `${words.given(name, text)} is a regular expression, where "*" repeats the ` +
          `character before it and a match anywhere in a key counts (it matches keys that ` +
          `merely contain part of it); for the glob, names that match it, write ${
            words.write(name, re)
          }`,
      );
    }
  }
  return out;
}

/**
 * The regular expression on keys that matches what the glob `glob` does
 * (`*` and `?` within a segment, `**` across them; a glob without `/`
 * names a file at any depth, as rclone's does), or undefined when it has
 * no wildcard. `*.swp` gives `\.swp$`, and `.DS_Store` below `**` at any
 * depth gives `(^|/)\.DS_Store$`.
 */
function regexOfGlob(glob: string): string | undefined {
  if (!/[*?]/.test(glob)) return undefined;
  let rest = glob;
  let anchor = "^";
  if (rest.startsWith("**/")) {
    rest = rest.slice(3);
    anchor = "(^|/)";
  } else if (!rest.includes("/")) {
    anchor = "(^|/)";
  }
  let body = "";
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "*" && rest[i + 1] === "*") {
      body += ".*";
      i++;
    } else if (c === "*") body += "[^/]*";
    else if (c === "?") body += "[^/]";
    else body += /[\\^$.|+()[\]{}]/.test(c) ? `\\${c}` : c;
  }
  // `*.swp` at any depth: whatever comes before it in its segment.
  if (anchor === "(^|/)" && body.startsWith("[^/]*")) {
    anchor = "";
    body = body.slice(5);
  }
  const re = `${anchor}${body}$`;
  try {
    new RegExp(re, "u");
    return re;
  } catch {
    return undefined;
  }
}

/**
 * True when `key` passes the filter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchesFilter } from "./keys.ts";
 * assert(matchesFilter({}, "anything"));
 * assert(!matchesFilter({ exclude: [/x/] }, "x.txt"));
 * ```
 */
export function matchesFilter(filter: KeyFilter, key: string): boolean {
  if (filter.exclude?.some((re) => re.test(key))) return false;
  if (filter.include !== undefined && filter.include.length > 0) {
    return filter.include.some((re) => re.test(key));
  }
  return true;
}

/**
 * True when a directory (key with a trailing slash) is excluded, so a walk
 * need not enter it: an exclude pattern matches its key and so every key
 * below it. Include patterns never prune: a file below may match. Nor does
 * a pattern that looks past where it matched: `/$` or `^cache/$` (a folder
 * marker) and `^cache/(?!keep)` match `cache/` but not `cache/keep.txt`,
 * whose file must then be walked, or `--delete` would remove its object
 * while the file is there. (`^cache(/|$)` matches `cache/` without its `$`:
 * it prunes.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { excludesDirectory } from "./keys.ts";
 * assert(excludesDirectory({ exclude: [/^node_modules\//] }, "node_modules/"));
 * assert(excludesDirectory({ exclude: [/^cache(\/|$)/u] }, "cache/"));
 * assert(!excludesDirectory({ include: [/\.csv$/] }, "data/"));
 * assert(!excludesDirectory({ exclude: [/\/$/] }, "data/"));
 * ```
 */
export function excludesDirectory(filter: KeyFilter, dirKey: string): boolean {
  return filter.exclude?.some((re) => excludesAllBelow(re, dirKey)) ?? false;
}

/**
 * Whether `re` matches every key below `dirKey`: it has a match in `dirKey`
 * that looks at nothing after it. A lookahead or a word boundary may look
 * there: never trusted. A `$` can only fail once a key goes on, so a match
 * is looked for that ends before a character follows (`$` there is false,
 * as in every longer key): with it, `re` matches them all.
 */
function excludesAllBelow(re: RegExp, dirKey: string): boolean {
  // (With the `m` flag a `$` holds before a newline a key may go on with.)
  if (!re.test(dirKey) || re.multiline || LOOKS_AHEAD.test(re.source)) return false;
  if (!re.source.includes("$")) return true;
  let before = matchedBefore.get(re);
  if (before === undefined) {
    before = new RegExp(`(?:${re.source})(?=[^])`, re.flags.replace(/[gy]/g, ""));
    matchedBefore.set(re, before);
  }
  return before.test(`${dirKey}x`);
}

/** What in a pattern's source may test the text after a match: a word boundary, a lookahead. */
const LOOKS_AHEAD = /\\[bB]|\(\?[=!]/;

/** Each pattern with `$`, made to match only where a character follows (see `excludesAllBelow`). */
const matchedBefore = new WeakMap<RegExp, RegExp>();
