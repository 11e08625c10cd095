/**
 * A three-way merge of a manifest or a lock file, entry by entry, for a git
 * merge driver (`vc merge-driver`): two teammates who each `vc add` or
 * `vc update` a path on their own branch touch neighbouring lines (a sorted
 * file, and JSON's comma on the line before a new last entry), which git's
 * line merge calls a conflict every time. Here each entry is merged on its
 * own: one side's change is taken and both sides' new entries are kept.
 * What cannot be decided (a path both sides moved to other versions, both
 * published, of two edits; an override; a path one side removed and the
 * other moved; a lock entry whose size or SHA-256 differs) is left between
 * conflict markers around that entry, which every vc command refuses to
 * read until they are resolved.
 *
 * @module
 */
import { MERGE_DRIVER_MARKER } from "../command_words.ts";
import { InvalidInputError } from "../errors.ts";
import { compareUtf8 } from "../utf8.ts";
import { parseManifest } from "./manifest.ts";
import { detectManifestStyle, editManifestText, renderManifest } from "./manifest_format.ts";
import { formatLockFileAs, type LockEntry, lockFileLayout, parseLockFile } from "./lock_file.ts";
import { compareVersions, isVersion } from "./version.ts";

/** What {@linkcode mergeVersionedFile} made of the three sides. */
export interface VersionedMergeResult {
  /** `"manifest"` or `"lock"`: what the files were read as. */
  kind: "manifest" | "lock";
  /** The merged text (with conflict markers around each entry in `conflicts`). */
  text: string;
  /** One line per entry left between conflict markers. */
  conflicts: string[];
}

const BOM = "\ufeff";

/** Options of {@linkcode mergeVersionedFile}. */
export interface VersionedMergeOptions {
  /**
   * Set when git runs the merge for `git rebase`, where ours is the upstream
   * being rebased onto and theirs the user's own commit being replayed (the
   * other way round from a merge): the markers and conflict lines say so,
   * naming the commit where it is known (short id, subject). With `merged`
   * (the label(s) of the branch a `git rebase --rebase-merges` step merges
   * again) ours is the user's branch as rebased so far and theirs that
   * branch, `commit` the merge commit being redone.
   */
  rebase?: { commit?: string; subject?: string; merged?: string };
}

/** The first and last line of a conflict the driver leaves (see {@linkcode conflictMarkers}). */
export interface ConflictMarkers {
  /** The `<<<<<<<` line, starting with `MERGE_DRIVER_MARKER`. */
  open: string;
  /** The `>>>>>>>` line, starting with `>>>>>>> theirs`. */
  close: string;
  /** How a conflict line names ours' value, then theirs': `here` / `there` in a merge. */
  ours: string;
  /** See `ours`. */
  theirs: string;
}

const THEIRS_MARKER = ">>>>>>> theirs";

/**
 * The marker lines and side names of the driver's conflicts: `ours` / `theirs`
 * (here / there) in a merge; in a rebase (`rebase` set, see
 * {@linkcode VersionedMergeOptions}) ours is named as the upstream and theirs
 * as the user's commit being replayed, as git's own markers name `HEAD` and
 * that commit; in a merge a rebase redoes (`rebase.merged`), ours is named
 * as the user's rebased branch and theirs as the branch merged in. Each line
 * starts as in a merge, so vc reads either as its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conflictMarkers } from "./merge.ts";
 * assert.equal(conflictMarkers().close, ">>>>>>> theirs");
 * const r = conflictMarkers({ commit: "b78d1dc", subject: "a.csv 1.2.0" });
 * assert.equal(r.open, "<<<<<<< ours (vc merge-driver): upstream, being rebased onto");
 * assert.equal(r.close, ">>>>>>> theirs: your commit b78d1dc being replayed (a.csv 1.2.0)");
 * const m = conflictMarkers({ commit: "30969ec", subject: "merge side", merged: "side" });
 * assert.equal(m.open, "<<<<<<< ours (vc merge-driver): your branch, rebased so far");
 * assert.equal(m.close, ">>>>>>> theirs: side, merged again by your merge 30969ec (merge side)");
 * ```
 */
export function conflictMarkers(rebase?: VersionedMergeOptions["rebase"]): ConflictMarkers {
  if (rebase === undefined) {
    return { open: MERGE_DRIVER_MARKER, close: THEIRS_MARKER, ours: "here", theirs: "there" };
  }
  const subject = rebase.subject === undefined ? "" : ` (${rebase.subject})`;
  if (rebase.merged !== undefined) {
    const merge = rebase.commit === undefined ? "your merge" : `your merge ${rebase.commit}`;
    return {
      open: `${MERGE_DRIVER_MARKER}: your branch, rebased so far`,
      close: `${THEIRS_MARKER}: ${rebase.merged}, merged again by ${merge}${subject}`,
      ours: "in your rebased branch",
      theirs: `in ${rebase.merged}, being merged again`,
    };
  }
  const commit = rebase.commit === undefined ? "your commit" : `your commit ${rebase.commit}`;
  return {
    open: `${MERGE_DRIVER_MARKER}: upstream, being rebased onto`,
    close: `${THEIRS_MARKER}: ${commit} being replayed${subject}`,
    ours: "upstream",
    theirs: `in ${commit} being rebased`,
  };
}

// A lock file's values are objects, a manifest's strings: read from the
// first side that has an entry (an empty side says nothing).
function isLockText(texts: readonly string[]): boolean {
  for (const text of texts) {
    let data: unknown;
    try {
      data = JSON.parse(text.startsWith(BOM) ? text.slice(BOM.length) : text);
    } catch {
      continue;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) continue;
    const first = Object.values(data)[0];
    if (first !== undefined) return typeof first === "object" && first !== null;
  }
  return false;
}

// git gives an empty file for the base of two sides with no common ancestor
// (both branches created the file). Only the base: an empty side is a file
// vc refuses, not one of no entries (which would remove the other side's).
function orEmpty(text: string): string {
  return text.trim() === "" || text.trim() === BOM ? "{}" : text;
}

type Decision<T> =
  | { kind: "take"; value: T | undefined }
  | { kind: "conflict"; ours: T | undefined; theirs: T | undefined };

// The three-way rule for one entry; `same` compares two present values.
// `baseKnown` false: the base left this entry undecided (a criss-cross
// merge's virtual base, see undecidedInBase), so only sides that agree merge.
function decide<T>(
  base: T | undefined,
  ours: T | undefined,
  theirs: T | undefined,
  same: (a: T, b: T) => boolean,
  baseKnown = true,
): Decision<T> {
  const eq = (a: T | undefined, b: T | undefined) =>
    a === undefined || b === undefined ? a === b : same(a, b);
  if (eq(ours, theirs)) return { kind: "take", value: ours };
  if (baseKnown && eq(base, ours)) return { kind: "take", value: theirs };
  if (baseKnown && eq(base, theirs)) return { kind: "take", value: ours };
  return { kind: "conflict", ours, theirs };
}

/**
 * The entry-by-entry core both files share: each key `decide`d (a key left
 * undecided in a criss-cross base has no base to decide by), a conflict kept
 * at ours' value (theirs' where ours removed it) for the markers to show both,
 * and named by `conflictLine`.
 */
function mergeEntries<T>(
  keys: Iterable<string>,
  [base, ours, theirs]: [Record<string, T>, Record<string, T>, Record<string, T>],
  same: (a: T, b: T) => boolean,
  undecided: ReadonlySet<string>,
  conflictLine: (key: string, ours: T | undefined, theirs: T | undefined) => string,
): {
  merged: Record<string, T>;
  conflicting: Map<string, { ours?: T; theirs?: T }>;
  conflicts: string[];
} {
  const merged: Record<string, T> = {};
  const conflicting = new Map<string, { ours?: T; theirs?: T }>();
  const conflicts: string[] = [];
  for (const key of keys) {
    const d = decide(base[key], ours[key], theirs[key], same, !undecided.has(key));
    if (d.kind === "take") {
      if (d.value !== undefined) merged[key] = d.value;
      continue;
    }
    merged[key] = (d.ours ?? d.theirs) as T;
    conflicting.set(key, {
      ...(d.ours === undefined ? {} : { ours: d.ours }),
      ...(d.theirs === undefined ? {} : { theirs: d.theirs }),
    });
    conflicts.push(conflictLine(key, d.ours, d.theirs));
  }
  return { merged, conflicting, conflicts };
}

/** The key of one entry line, read by the file's own parser; `undefined` for a line that is none. */
function entryKeyOf(parse: (text: string) => object): (line: string) => string | undefined {
  return (line) => {
    try {
      return Object.keys(parse(`{${line.trim().replace(/,$/, "")}}`))[0];
    } catch {
      return undefined;
    }
  };
}

const ENTRY_LINE = /^\s*("(?:[^"\\]|\\.)*")\s*:/;

/**
 * A base that holds this driver's own conflict markers: with two merge bases
 * (a criss-cross merge), git first merges them with the same driver and takes
 * the result, markers and all, as the base of the real merge. Each block is
 * read as one side's entry line (the other side's value is just as much the
 * base's), and its key is returned as undecided, so that the real merge
 * neither fails on the markers nor takes a side against a base it does not have.
 * `keyOf(line)`: the normalized key of an entry line, `undefined` when it is none.
 */
function undecidedInBase(
  base: string,
  keyOf: (line: string) => string | undefined,
): { text: string; undecided: Set<string> } {
  const undecided = new Set<string>();
  if (!base.includes(MERGE_DRIVER_MARKER)) return { text: base, undecided };
  const lines = base.split(/(?<=\n)/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] as string).startsWith(MERGE_DRIVER_MARKER)) {
      out.push(lines[i] as string);
      continue;
    }
    // Searched from the marker on: linear in the base, however many blocks.
    const next = (from: number, marker: string) => {
      for (let j = from; j < lines.length; j++) {
        if (lines[j]!.trimEnd().startsWith(marker)) return j;
      }
      return -1;
    };
    const sep = next(i + 1, "=======");
    const end = sep < 0 ? -1 : next(sep + 1, THEIRS_MARKER);
    if (sep < 0 || end < 0) return { text: base, undecided: new Set() };
    const ours = lines.slice(i + 1, sep);
    const theirs = lines.slice(sep + 1, end);
    const kept = ours.length > 0 ? ours : theirs;
    // Not one entry a side (both files whole, when one could not be read):
    // left as it is, for the parse to refuse.
    const key = kept.length === 1 ? keyOf(kept[0] as string) : undefined;
    if (key === undefined) return { text: base, undecided: new Set() };
    undecided.add(key);
    out.push(...kept);
    i = end;
  }
  return { text: out.join(""), undecided };
}

// How far `line` moves the nesting of JSON's objects and arrays (brackets
// inside strings do not count).
function nestingChange(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return depth;
}

// Replaces the line(s) of each conflicting key with both sides' lines between
// markers; `line(key, side, shown)` renders a side's entry (its lines joined
// by "\n"), undefined when it has none; `shown` is the entry's last line as
// the text has it (its comma). An entry a formatter spread over several
// lines (a lock file's size and hash each on its own) is replaced whole. One
// pass over the lines: a merge where every entry conflicts (both branches
// moved all paths) stays linear in the file's size.
function markConflicts(
  text: string,
  markers: ConflictMarkers,
  keys: readonly string[],
  line: (key: string, side: "ours" | "theirs", shown: string) => string | undefined,
): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const pending = new Set(keys);
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let shown = lines[i] as string;
    const m = pending.size === 0 ? null : ENTRY_LINE.exec(shown);
    const k = m === null ? undefined : JSON.parse(m[1] as string) as string;
    const key = k === undefined
      ? undefined
      : pending.has(k)
      ? k
      : pending.has(`/${k}`)
      ? `/${k}`
      : undefined;
    if (key === undefined) {
      out.push(shown);
      continue;
    }
    pending.delete(key);
    // The rest of an entry whose value goes on past its first line.
    for (let depth = nestingChange(shown); depth > 0 && i + 1 < lines.length;) {
      shown = lines[++i] as string;
      depth += nestingChange(shown);
    }
    const side = (s: "ours" | "theirs") => {
      const l = line(key, s, shown);
      return l === undefined ? [] : l.split("\n");
    };
    out.push(markers.open, ...side("ours"), "=======", ...side("theirs"), markers.close);
  }
  return out.join(eol);
}

// `shown`'s line with its value replaced by `value`'s JSON (same indent, key and comma).
function withValue(shown: string, value: string): string {
  const m = /^(\s*"(?:[^"\\]|\\.)*"\s*:\s*)(.*?)(\s*,?\s*)$/.exec(shown);
  return m === null ? shown : `${m[1]}${value}${m[3]}`;
}

function mergeManifests(
  base: string,
  ours: string,
  theirs: string,
  file: string,
  markers: ConflictMarkers,
) {
  const read = undecidedInBase(base, entryKeyOf((text) => parseManifest(text, file)));
  const b = parseManifest(orEmpty(read.text), `${file} (base)`);
  const o = parseManifest(ours, `${file} (ours)`);
  const t = parseManifest(theirs, `${file} (theirs)`);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(o), ...Object.keys(t)])].sort(
    compareUtf8,
  );
  const { merged, conflicting, conflicts } = mergeEntries(
    keys,
    [b, o, t],
    (x, y) => x === y,
    read.undecided,
    (key, ours, theirs) => {
      const say = (v: string | undefined) => v === undefined ? "removed" : JSON.stringify(v);
      // Two versions both published, of two edits: taking either silently would
      // drop the other's content from the branch, as a line merge never does.
      const both = ours !== undefined && theirs !== undefined && isVersion(ours) &&
          isVersion(theirs)
        ? ` (both published: keep the one whose content is wanted, usually the higher, ${
          compareVersions(ours, theirs) >= 0 ? ours : theirs
        }, or publish one that combines both)`
        : "";
      return `${key}: ${say(ours)} ${markers.ours}, ${say(theirs)} ${markers.theirs}${both}`;
    },
  );
  const mark = ours.startsWith(BOM) ? BOM : "";
  let text = Object.keys(o).length === 0
    ? mark + renderManifest(merged, detectManifestStyle(ours.slice(mark.length)))
    : editManifestText(ours, o, merged);
  text = markConflicts(text, markers, [...conflicting.keys()], (key, side, shown) => {
    const value = conflicting.get(key)?.[side];
    return value === undefined ? undefined : withValue(shown, JSON.stringify(value));
  });
  return { text, conflicts };
}

// All fields, not only size and hash: a field one side added (a newer vc's)
// is a change of that side, not to be dropped for the other's entry.
function lockEntryJson(e: LockEntry): string {
  const fields = e as unknown as Record<string, unknown>;
  return JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
}

function sameLockEntry(a: LockEntry, b: LockEntry): boolean {
  return lockEntryJson(a) === lockEntryJson(b);
}

// A lock entry as the conflict line names it, with the fields vc does not know.
function describeLockEntry(e: LockEntry): string {
  const more = Object.entries(e).filter(([k]) => k !== "size" && k !== "sha256")
    .map(([k, v]) => `, ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join("");
  return `${e.size} bytes, SHA-256 ${e.sha256}${more}`;
}

function mergeLockFiles(
  base: string,
  ours: string,
  theirs: string,
  file: string,
  markers: ConflictMarkers,
) {
  const read = undecidedInBase(base, entryKeyOf((text) => parseLockFile(text, file)));
  const b = parseLockFile(orEmpty(read.text).replace(/^\ufeff/, ""), `${file} (base)`);
  const o = parseLockFile(ours.replace(/^\ufeff/, ""), `${file} (ours)`);
  const t = parseLockFile(theirs.replace(/^\ufeff/, ""), `${file} (theirs)`);
  const { merged, conflicting, conflicts } = mergeEntries(
    new Set([...Object.keys(b), ...Object.keys(o), ...Object.keys(t)]),
    [b, o, t],
    sameLockEntry,
    read.undecided,
    (key, ours, theirs) => {
      const say = (e: LockEntry | undefined) => e === undefined ? "removed" : describeLockEntry(e);
      return `${key}: ${say(ours)} ${markers.ours}, ${say(theirs)} ${markers.theirs}`;
    },
  );
  const mark = ours.startsWith(BOM) ? BOM : "";
  // Ours' line breaks and layout (one a formatter expanded stays so).
  const layout = lockFileLayout(ours);
  let text = mark + formatLockFileAs(merged, layout);
  text = markConflicts(text, markers, [...conflicting.keys()], (key, side, shown) => {
    const entry = conflicting.get(key)?.[side];
    if (entry === undefined) return undefined;
    // The entry's lines, between the file's `{` and `}` lines.
    const lines = formatLockFileAs({ [key]: entry }, { ...layout, eol: "\n" }).split("\n")
      .slice(1, -2).join("\n");
    return shown.trimEnd().endsWith(",") ? `${lines},` : lines;
  });
  return { text, conflicts };
}

/**
 * Merges `ours` and `theirs`, both changed from `base` (`""` when the two
 * sides have no common ancestor), entry by entry: a manifest (path →
 * version) or a lock file (`path@version` → size and SHA-256), told apart by
 * their values. The text keeps `ours`' style, so only the lines of entries
 * that changed differ from it. Throws `InvalidInputError` (naming `file` and
 * the side) when a side is no manifest or lock file vc reads. In a rebase
 * (`options.rebase`), the markers and conflict lines name ours as the
 * upstream and theirs as the commit being replayed ({@linkcode conflictMarkers}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeVersionedFile } from "./merge.ts";
 * const base = '{\n    "/a.csv": "1.0.0"\n}\n';
 * const ours = '{\n    "/a.csv": "1.0.0",\n    "/c.csv": "1.0.0"\n}\n';
 * const theirs = '{\n    "/a.csv": "1.1.0",\n    "/b.csv": "1.0.0"\n}\n';
 * const m = mergeVersionedFile(base, ours, theirs, "versioned_assets.json");
 * assert.equal(m.text, '{\n    "/a.csv": "1.1.0",\n    "/b.csv": "1.0.0",\n    "/c.csv": "1.0.0"\n}\n');
 * assert.deepEqual(m.conflicts, []);
 * ```
 */
export function mergeVersionedFile(
  base: string,
  ours: string,
  theirs: string,
  file: string,
  options: VersionedMergeOptions = {},
): VersionedMergeResult {
  for (const [side, text] of [["base", base], ["ours", ours], ["theirs", theirs]] as const) {
    if (typeof text !== "string") {
      throw new InvalidInputError(`mergeVersionedFile(): the ${side} text must be a string`);
    }
  }
  const markers = conflictMarkers(options.rebase);
  if (isLockText([ours, theirs, base])) {
    return { kind: "lock", ...mergeLockFiles(base, ours, theirs, file, markers) };
  }
  return { kind: "manifest", ...mergeManifests(base, ours, theirs, file, markers) };
}
