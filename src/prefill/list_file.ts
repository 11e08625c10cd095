/**
 * Prefill items and list files: what `vc prefill` is asked to fetch.
 *
 * An item is an `s3://bucket/key` or `file:///path` URI, or a versioned path
 * (`/foo/bar.csv`, pinned by the manifest) optionally at a version
 * (`/foo/bar.csv@1.2.5`). A list file has one item per line; blank lines and
 * lines starting with `#` are ignored. baiji-pod's prefill file, a YAML list
 * (`- /foo/bar.csv`), is read as it is.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { LIST_GIVEN_MANIFEST } from "./setting_words.ts";
import { quoted } from "../printable.ts";
import {
  checkOptions,
  checkPathArgument,
  describeValue,
  type OptionNames,
  requireString,
} from "../options_check.ts";
import { readTextCapped } from "../read_capped.ts";
import { signalOption } from "../abort_hub.ts";
import { mistypedUriHint, type ParsedUri, parseUri } from "../uri.ts";
import { isUriNotPath } from "../path.ts";
import { normalizeVersionedPath } from "../versioned/naming.ts";
import { isVersion } from "../versioned/version.ts";
import { counted } from "../counted.ts";
import { redactUrl } from "../redact.ts";

/** A parsed prefill item. */
export type PrefillItem =
  | { kind: "uri"; uri: string }
  | { kind: "versioned"; path: string; version?: string };

/**
 * Parses one prefill item; throws `InvalidInputError` naming it when it is
 * neither a store URI nor a versioned path.
 *
 * The rule for `@`: an `@` followed by a valid `MAJOR.MINOR.PATCH` version
 * at the very end (`/foo/bar.csv@1.2.5`) separates path and version; any
 * other `@` is part of the path (`/models/resnet@2x.bin`,
 * `/models/resnet@2x.bin@1.0.0`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrefillItem } from "./list_file.ts";
 * const v = parsePrefillItem("/foo/bar.csv@1.2.5");
 * assert(v.kind === "versioned" && v.path === "/foo/bar.csv" && v.version === "1.2.5");
 * assert(parsePrefillItem("s3://b/k.csv").kind === "uri");
 * const p = parsePrefillItem("/models/resnet@2x.bin");
 * assert(p.kind === "versioned" && p.path === "/models/resnet@2x.bin" && p.version === undefined);
 * ```
 */
export function parsePrefillItem(item: string): PrefillItem {
  const parsed = parseItem(item);
  return parsed.kind === "uri" ? { kind: "uri", uri: parsed.uri } : parsed;
}

/**
 * {@linkcode parsePrefillItem}, a URI's item with the URI as `parseUri`
 * parsed it (prefill's download takes it, not parsing it again).
 */
export function parseItem(
  item: string,
): { kind: "uri"; uri: string; parsed: ParsedUri } | Extract<PrefillItem, { kind: "versioned" }> {
  requireString("parsePrefillItem(): the item", item);
  // Longer than any URI or path a store or file system takes (S3 keys: 1024
  // bytes; paths: 4096): a pasted blob, named by its start, not printed whole.
  if (item.length > MAX_ITEM_CHARS) {
    throw new InvalidInputError(
      `${shownItem(item)} is too long for a URI or a versioned path (at most ` +
        `${MAX_ITEM_CHARS} characters)`,
    );
  }
  if (isUriNotPath(item)) {
    const uri = parseUri(item);
    // Only a bucket names no object: a key ending in `/` is a key as any
    // other in S3 (`aws s3api put-object --key dir/`), and `vc cache get`
    // caches it, so a list of objects may name it too.
    if (uri.scheme === "s3" && uri.key === "") {
      throw new InvalidInputError(`${item} names a bucket, not an object`);
    }
    return { kind: "uri", uri: item, parsed: uri };
  }
  if (!item.startsWith("/")) {
    throw new InvalidInputError(
      `${
        shownItem(item)
      } is neither an s3:// or file:// URI nor a versioned path starting with / (e.g. /foo/bar.csv@1.2.5)${
        mistypedUriHint(item)
      }`,
    );
  }
  const at = /^(.+)@([^@/]*)$/.exec(item);
  if (at && isVersion(at[2]!)) {
    return { kind: "versioned", path: normalizeVersionedPath(at[1]!), version: at[2]! };
  }
  return { kind: "versioned", path: normalizeVersionedPath(item) };
}

/** The longest list item taken (see {@linkcode parsePrefillItem}). */
const MAX_ITEM_CHARS = 8192;

// An item as a message quotes it: whole when short, else its start and its length.
function shownItem(item: string): string {
  // A mistyped URI (`s3:/KEY:SECRET@b/k`) is shown without its password.
  const shown = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(item) ? redactUrl(item) : item;
  return quoted(shown);
}

/**
 * Reads a list file: one URI or versioned path per line, `#` comment lines and
 * blank lines ignored, surrounding whitespace trimmed. Throws `NotFoundError`
 * for a missing file and `InvalidInputError` naming the file and line number
 * of the first bad line and the numbers of the others. {@linkcode readListEntries}
 * reads the same list with the file and line of each item, for a
 * `prefill` whose failures name them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readListFile } from "./list_file.ts";
 * const file = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(file, "# assets for CI\ns3://b/k.csv\n\n/foo/bar.csv@1.2.5\n");
 *   const items = await readListFile(file);
 *   assert(items.length === 2 && items[1] === "/foo/bar.csv@1.2.5");
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function readListFile(
  path: string,
  options: ReadListOptions = {},
): Promise<string[]> {
  checkListOptions("readListFile()", options);
  return (await readListEntries(path, options)).map((entry) => entry.item);
}

/** One item of a list file and where it is: what a prefill failure names. */
export interface PrefillListEntry {
  /** The item (a URI or a versioned path), trimmed as the list reader trims it. */
  item: string;
  /** The list file, as given to {@linkcode readListEntries} (`<stdin>` for `-`). */
  file: string;
  /** Its 1-based line number in the file (blank and comment lines counted). */
  line: number;
}

/**
 * Reads a list file as {@linkcode readListFile} does, keeping each item's file
 * and 1-based line number. Pass the entries as `uris` of `prefill`
 * and every failure of an item names them (`file` and `line`), as a bad line
 * of the list is named (`file:line`). Standard input
 * (`-`) is named `<stdin>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readListEntries } from "./list_file.ts";
 * const file = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(file, "# assets for CI\ns3://b/k.csv\n\n/foo/bar.csv@1.2.5\n");
 *   const entries = await readListEntries(file);
 *   assert.deepEqual(entries[1], { item: "/foo/bar.csv@1.2.5", file, line: 4 });
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function readListEntries(
  path: string,
  options: ReadListOptions = {},
): Promise<PrefillListEntry[]> {
  checkListOptions("readListEntries()", options);
  return [...await listEntries(path, options)];
}

/** The entries of one list file, made one at a time: see {@linkcode listEntries}. */
export interface PrefillListEntries extends Iterable<PrefillListEntry> {
  /** How many entries the list has (what `prefill` counts in its total before it starts). */
  readonly length: number;
}

/**
 * Reads and checks a list file as {@linkcode readListEntries} does (every bad
 * line is refused before anything is fetched), but keeps only the file's text:
 * each entry is made as it is taken, so a prefill of a long list does not hold
 * an object per line. Iterable more than once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listEntries } from "./list_file.ts";
 * const file = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(file, "# assets for CI\ns3://b/k.csv\n\n/foo/bar.csv@1.2.5\n");
 *   const entries = await listEntries(file);
 *   assert.equal(entries.length, 2);
 *   assert.deepEqual([...entries][1], { item: "/foo/bar.csv@1.2.5", file, line: 4 });
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function listEntries(
  path: string,
  options: ReadListOptions = {},
): Promise<PrefillListEntries> {
  checkListOptions("listEntries()", options);
  // A URI (`file:///ci/list.txt`) was read as `./file:/ci/list.txt`, then
  // reported missing under the name given.
  checkPathArgument("the prefill list file", path);
  // A regular file is read at once, the signal never looked at: one aborted
  // already rejects the call, as every other call's does.
  options.signal?.throwIfAborted();
  const text = await readTextCapped(path, {
    maxBytes: options.maxBytes ?? MAX_LIST_BYTES,
    what: "list file",
    why: "not a list of URIs (one per line)",
    stdin: options.stdin ?? "process",
    ...signalOption(options.signal),
  });
  // readTextCapped reads `-` from standard input (always, here).
  const file = path === "-" ? STDIN_NAME : path;
  // Lines ended by CR alone (classic Mac OS): read as one line whose
  // key holds them (a lone CR is a key's byte), every item then "not found".
  if (text.includes("\r") && !text.includes("\n")) {
    throw new InvalidInputError(
      `${file}: its lines end with a carriage return alone (old Mac OS line endings), which a ` +
        "list does not take (a lone CR is part of a key): save it with LF or CRLF line endings",
    );
  }
  // baiji-pod's prefill file (`baiji-prefill FILE`) is a YAML sequence
  // (`- /foo/bar.csv`): read as it is, so a team moving to vc keeps its file.
  const yaml = isYamlSequence(text);
  let length = 0;
  // Every bad line is named at once: a CI run that stopped at the first would
  // take one run per typo. The message stays one line: the first bad line in
  // full, then the numbers of the others.
  let first: InvalidInputError | undefined;
  const others: number[] = [];
  for (const { item, line } of listLines(text, file, yaml)) {
    try {
      parsePrefillItem(yaml ? yamlItem(item) : item);
      length++;
    } catch (cause) {
      if (first === undefined) {
        first = new InvalidInputError(
          `${listLine(file, line)}: ${(cause as Error).message}`,
          { cause },
        );
      } else others.push(line);
    }
  }
  if (first === undefined) {
    const entries = yaml ? yamlEntries(text, file) : () => listLines(text, file);
    return { length, [Symbol.iterator]: entries };
  }
  // A manifest given as a list (`vc prefill --list versioned_assets.json`): its
  // first bad line, `{`, would not tell the newcomer what to do.
  if (isJsonObject(text)) {
    throw new InvalidInputError(
      `${file} is a JSON object (a manifest?), not a list of items (one URI or versioned path a ` +
        `line): ${LIST_GIVEN_MANIFEST.option}`,
      { cause: first },
    );
  }
  if (others.length === 0) throw first;
  const shown = others.slice(0, MAX_BAD_LINES_SHOWN);
  const more = others.length - shown.length;
  throw new InvalidInputError(
    `${first.message} (${counted(others.length, "more bad line")}: ${shown.join(", ")}${
      more > 0 ? ", ..." : ""
    })`,
    { cause: first.cause },
  );
}

// Whether a list's text is one JSON object (a UTF-8 byte order mark allowed, as manifests have).
function isJsonObject(text: string): boolean {
  const body = text.replace(/^\uFEFF/, "").trim();
  if (!body.startsWith("{")) return false;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

// Whether every item line of a list's text is a YAML sequence entry (`- x`)
// or document marker (`---`, `...`): neither is ever an item, which starts
// with `/` or a URI scheme.
function isYamlSequence(text: string): boolean {
  let entries = 0;
  for (const { item } of listLines(text.replace(/^\uFEFF/, ""), "")) {
    if (item === "---" || item === "...") continue;
    if (!/^-(\s|$)/.test(item)) return false;
    entries++;
  }
  return entries > 0;
}

// The entries of a YAML list whose every line was checked: each item unquoted.
function yamlEntries(text: string, file: string): () => Generator<PrefillListEntry> {
  return function* () {
    for (const entry of listLines(text, file, true)) yield { ...entry, item: yamlItem(entry.item) };
  };
}

/**
 * The item of one entry line of a YAML list (`- ITEM`), as baiji-pod's
 * prefill took it: its YAML value, which is a versioned path when it is no
 * URI (baiji-pod gave `foo/bar.csv` its leading `/`, as a manifest key).
 */
function yamlItem(raw: string): string {
  const value = yamlValue(raw);
  return isUriNotPath(value) || value.startsWith("/") ? value : `/${value}`;
}

/**
 * The value of one entry line of a YAML list: a plain value up to a ` #`
 * comment, or a single-quoted (`''` for a quote) or double-quoted one.
 * Throws `InvalidInputError` naming the line for what YAML reads otherwise (a
 * mapping, a nested list, an escape sequence) or not at all, rather than
 * fetch another item than baiji-pod did.
 */
function yamlValue(raw: string): string {
  const bad = (why: string) => new InvalidInputError(`${shownItem(raw)}: ${why}`);
  const value = raw.slice(1).trim();
  if (value === "" || value === "~" || value === "null") {
    throw bad("an empty entry (`-` with no item) in a YAML list");
  }
  const quote = value[0];
  if (quote !== "'" && quote !== '"') {
    // A comment starts at a `#` after a space; a `: ` makes the entry a mapping.
    const plain = value.replace(/\s#.*$/, "");
    if (/:(\s|$)/.test(plain)) throw bad("a YAML mapping (KEY: VALUE), not an item");
    // YAML's indicators: a nested list or mapping, an anchor, alias, tag or block.
    if (/^([[\]{},&*!|>%@`]|[-?](\s|$))/.test(plain)) {
      throw bad("not a plain YAML value (a nested list or mapping, an anchor, a tag, a block)");
    }
    return plain;
  }
  let item = "";
  for (let i = 1; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" && quote === '"') {
      throw bad(
        "a backslash escape in a double-quoted YAML item is not read: write the item " +
          "unquoted or in single quotes",
      );
    }
    if (c !== quote) {
      item += c;
    } else if (quote === "'" && value[i + 1] === "'") {
      item += "'";
      i++;
    } else {
      const rest = value.slice(i + 1).trim();
      if (rest !== "" && !rest.startsWith("#")) throw bad("text after its closing quote");
      return item;
    }
  }
  throw bad("its closing quote is missing");
}

// The items of a list's text (blank and comment lines skipped; in a YAML list
// its document markers too), each made as it is taken: the lines are found
// one by one, never split into an array.
function* listLines(text: string, file: string, yaml = false): Generator<PrefillListEntry> {
  let line = 0;
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    line++;
    // A line ends at LF or CRLF (a lone CR is part of it, as a key's byte).
    const raw = text.slice(start, newline > start && text[end - 1] === "\r" ? end - 1 : end);
    start = end + 1;
    const item = listItem(raw);
    if (item === "" || item.startsWith("#")) continue;
    if (yaml && (item === "---" || item === "...")) continue;
    yield { item, file, line };
  }
}

/** What standard input (`--list -`) is called where a list file's name goes. */
export const STDIN_NAME = "<stdin>";

/**
 * How a line of a list file is named in every message about it, a bad line
 * (`readListEntries`) or an item that failed (`vc prefill`): `file:line`.
 */
export function listLine(file: string, line: number): string {
  return `${file}:${line}`;
}

/** Line numbers of further bad lines named in the error; the rest are counted. */
const MAX_BAD_LINES_SHOWN = 20;

/**
 * One line of a list as an item: leading whitespace dropped; trailing
 * whitespace dropped too, except after a URI, whose key is taken verbatim (S3
 * keys may end with spaces or tabs, and `s3://b/k ` is not `s3://b/k`).
 */
export function listItem(raw: string): string {
  const line = raw.trimStart();
  return isUriNotPath(line) ? line : line.trimEnd();
}

/** Largest list file read (64 MiB): a list is lines of URIs, never more. */
export const MAX_LIST_BYTES: number = 64 * 1024 * 1024;

// The option names of the list readers (a misspelt one is refused, not ignored).
const READ_LIST_OPTIONS: OptionNames<ReadListOptions> = {
  stdin: true,
  maxBytes: true,
  signal: true,
};

/**
 * The options of a list reader, keys and values: a `maxBytes` of NaN spun the
 * reading loop for ever (a cap it could never reach), one given as text made
 * a cap of its digits and a 1; a `stdin` that is no stream was a bare
 * "stream.getReader is not a function".
 */
function checkListOptions(what: string, options: ReadListOptions): void {
  checkOptions(what, options, READ_LIST_OPTIONS);
  const { maxBytes, stdin } = options as { maxBytes?: unknown; stdin?: unknown };
  if (
    maxBytes !== undefined &&
    !(typeof maxBytes === "number" && maxBytes >= 0 &&
      (Number.isInteger(maxBytes) || maxBytes === Infinity))
  ) {
    throw new InvalidInputError(
      `${what}: the option maxBytes must be a whole number of bytes, 0 or more, got ${
        describeValue(maxBytes)
      }`,
    );
  }
  if (
    stdin !== undefined &&
    typeof (stdin as { getReader?: unknown } | null)?.getReader !== "function"
  ) {
    throw new InvalidInputError(
      `${what}: the option stdin must be a ReadableStream of bytes, got ${describeValue(stdin)}`,
    );
  }
}

/** Options of {@linkcode readListFile}. */
export interface ReadListOptions {
  /** What `-` reads (default: the process's standard input). */
  stdin?: ReadableStream<Uint8Array>;
  /** Refuse a list larger than this many bytes (default {@linkcode MAX_LIST_BYTES}). */
  maxBytes?: number;
  /**
   * Stops the read with the signal's reason, also one of standard input or a
   * pipe that waits for more (its writer still running). A signal aborted
   * before the call rejects it, the file not read.
   */
  signal?: AbortSignal;
}
