/**
 * The versioned-cache manifest: a checked-in JSON object that pins each
 * versioned path to a version, or overrides it during development.
 *
 * ```json
 * {
 *     "/foo/bar.csv": "1.2.5",
 *     "/foo/dev.csv": "./scratch/dev.csv"
 * }
 * ```
 *
 * A value is either a `MAJOR.MINOR.PATCH` version or an override: an `s3://`
 * or `file://` URI, or a local path that is absolute or starts with `./` or
 * `../` (relative paths are resolved against the manifest's directory). Keys
 * may omit the leading `/`; they are normalized to have one.
 *
 * Files are written with sorted keys, 4-space indentation and a trailing
 * newline, so a change in review is a one-line diff. Updating an existing
 * file keeps its indentation, so a repository whose formatter prefers 2
 * spaces (e.g. `deno fmt`) does not see every line change back and forth.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { parseUri } from "../uri.ts";
import { normalizeVersionedPath } from "./naming.ts";
import { isVersion } from "./version.ts";

/** Manifest entries: normalized path (leading `/`) → version or override, as written. */
export type ManifestEntries = Record<string, string>;

/** What a manifest value means. */
export type ManifestValue =
  | { kind: "version"; version: string }
  | { kind: "override"; location: string };

/** Options for {@linkcode formatManifest} and {@linkcode writeManifest}. */
export interface FormatManifestOptions {
  /** Indentation: 1 to 8 spaces, or a tab. Default 4 spaces. */
  indent?: string;
}

/** Options for {@linkcode readManifest}. */
export interface ReadManifestOptions {
  /** Return an empty manifest when the file does not exist (for `vc add`). */
  allowMissing?: boolean;
}

/**
 * Reads and validates a manifest file.
 *
 * Throws `NotFoundError` naming the file when it does not exist (unless
 * `allowMissing`), and `InvalidInputError` naming the file (and the entry, or
 * the line and column of a JSON syntax error) when it is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/m.json`, '{"foo/bar.csv": "1.2.5"}');
 *   const m = await readManifest(`${dir}/m.json`);
 *   assert(m["/foo/bar.csv"] === "1.2.5");
 *   assert(Object.keys(await readManifest(`${dir}/none.json`, { allowMissing: true })).length === 0);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readManifest(
  file: string,
  options: ReadManifestOptions = {},
): Promise<ManifestEntries> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      if (options.allowMissing) return {};
      throw new NotFoundError(
        `manifest ${file} does not exist; create it with \`vc add PATH FILE\` or pass the right --manifest`,
        { cause },
      );
    }
    throw cause;
  }
  return parseManifest(text, file);
}

/**
 * Parses and validates manifest text; `file` is only used in error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const m = parseManifest('{"/a.csv": "1.0.0", "b.csv": "s3://bucket/b.csv"}', "m.json");
 * assert(m["/b.csv"] === "s3://bucket/b.csv");
 * try {
 *   parseManifest('{"/a.csv": "1.2"}', "m.json");
 * } catch (e) {
 *   assert((e as Error).message.includes("/a.csv"));
 * }
 * ```
 */
export function parseManifest(text: string, file: string): ManifestEntries {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const where = syntaxErrorLocation(text, (cause as Error).message);
    throw new InvalidInputError(
      `manifest ${file}${where ? `:${where.line}:${where.column}` : ""} is not valid JSON: ${
        (cause as Error).message
      }`,
      { cause },
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InvalidInputError(
      `manifest ${file} must be a JSON object of "/path": "version" entries, got ${
        Array.isArray(data) ? "an array" : data === null ? "null" : typeof data
      }`,
    );
  }
  const entries: ManifestEntries = {};
  const seenAs = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    const path = entryPath(file, key);
    if (typeof value !== "string") {
      throw new InvalidInputError(
        `manifest ${file}: entry ${
          JSON.stringify(key)
        } must be a string (a version or an override), got ${
          value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
        }`,
      );
    }
    checkValue(file, key, value);
    const previous = seenAs.get(path);
    if (previous !== undefined) {
      throw new InvalidInputError(
        `manifest ${file}: entries ${JSON.stringify(previous)} and ${
          JSON.stringify(key)
        } both name ${path}`,
      );
    }
    seenAs.set(path, key);
    entries[path] = value;
  }
  checkLiteralDuplicates(text, file);
  return entries;
}

/**
 * What a manifest value means, with relative override paths resolved against
 * the manifest's directory. Call it on values from {@linkcode readManifest}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyValue } from "./manifest.ts";
 * const v = classifyValue("1.2.5", "/repo/manifest.json");
 * assert(v.kind === "version" && v.version === "1.2.5");
 * const o = classifyValue("./data/x.csv", "/repo/manifest.json");
 * assert(o.kind === "override" && o.location.endsWith("x.csv"));
 * ```
 */
export function classifyValue(value: string, manifestFile: string): ManifestValue {
  if (isVersion(value)) return { kind: "version", version: value };
  checkValue(manifestFile, undefined, value);
  if (/^(s3|file):\/\//i.test(value)) return { kind: "override", location: value };
  return {
    kind: "override",
    location: isAbsolute(value) ? value : resolve(dirname(resolve(manifestFile)), value),
  };
}

/**
 * The manifest file's text for `entries`: keys normalized and sorted, 4-space
 * indentation, trailing newline. Throws `InvalidInputError` for invalid entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatManifest } from "./manifest.ts";
 * const text = formatManifest({ "b.csv": "1.0.0", "/a.csv": "2.0.0" });
 * assert(text === '{\n    "/a.csv": "2.0.0",\n    "/b.csv": "1.0.0"\n}\n');
 * ```
 */
export function formatManifest(
  entries: Readonly<ManifestEntries>,
  options: FormatManifestOptions = {},
): string {
  const indent = options.indent ?? "    ";
  if (!/^( {1,8}|\t)$/.test(indent)) {
    throw new RangeError(
      `manifest indent must be 1 to 8 spaces or a tab, got ${JSON.stringify(indent)}`,
    );
  }
  // Validate through the same path as reading, so we never write a file we
  // would refuse to read back.
  const normalized = parseManifest(JSON.stringify(entries), "(entries to write)");
  const sorted: ManifestEntries = {};
  for (const key of Object.keys(normalized).sort()) sorted[key] = normalized[key] as string;
  return `${JSON.stringify(sorted, null, indent)}\n`;
}

/**
 * Writes a manifest atomically (a temp file in the same directory, fsynced,
 * then renamed over the target), keeping the existing file's permissions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest, writeManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await writeManifest(`${dir}/m.json`, { "/x.csv": "1.0.0" });
 *   assert((await readManifest(`${dir}/m.json`))["/x.csv"] === "1.0.0");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function writeManifest(
  file: string,
  entries: Readonly<ManifestEntries>,
  options: FormatManifestOptions = {},
): Promise<void> {
  const text = formatManifest(entries, options);
  await Deno.mkdir(dirname(file), { recursive: true });
  const temp = join(
    dirname(file),
    `.${basename(file)}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    {
      using handle = await Deno.open(temp, { write: true, createNew: true });
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) written += await handle.write(bytes.subarray(written));
      await handle.sync();
    }
    if (Deno.build.os !== "windows") {
      const mode = await Deno.stat(file).then((s) => s.mode, () => null);
      if (mode !== null) await Deno.chmod(temp, mode & 0o7777);
    }
    await Deno.rename(temp, file);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

// Serializes read-modify-write cycles on one manifest within this process, so
// concurrent updates of different entries do not lose each other's changes.
const locks = new Map<string, Promise<unknown>>();

/**
 * Re-reads the manifest, applies `change` to its entries, and writes it back
 * atomically, keeping the file's indentation; returns the entries written.
 * Concurrent calls on the same file in one process run one after the other.
 * A missing file counts as empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readManifest, updateManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   const file = `${dir}/m.json`;
 *   await Promise.all([
 *     updateManifest(file, (m) => { m["/a.csv"] = "1.0.0"; }),
 *     updateManifest(file, (m) => { m["/b.csv"] = "1.0.0"; }),
 *   ]);
 *   assert(Object.keys(await readManifest(file)).length === 2);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function updateManifest(
  file: string,
  change: (entries: ManifestEntries) => void | Promise<void>,
): Promise<ManifestEntries> {
  const id = resolve(file);
  const run = async () => {
    let text: string | undefined;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const entries = text === undefined ? {} : parseManifest(text, file);
    await change(entries);
    const indent = text === undefined ? undefined : detectIndent(text);
    await writeManifest(file, entries, indent === undefined ? {} : { indent });
    return entries;
  };
  const previous = locks.get(id) ?? Promise.resolve();
  const next = previous.then(run, run);
  const settled = next.then(() => {}, () => {});
  locks.set(id, settled);
  settled.then(() => {
    if (locks.get(id) === settled) locks.delete(id);
  });
  return next;
}

// The indentation of the first entry line, when the file looks like one we
// (or a formatter) wrote; anything else gets the default.
function detectIndent(text: string): string | undefined {
  return /^\{\r?\n( {1,8}|\t)"/.exec(text)?.[1];
}

function entryPath(file: string, key: string): string {
  try {
    return normalizeVersionedPath(key);
  } catch (cause) {
    throw new InvalidInputError(
      `manifest ${file}: entry ${JSON.stringify(key)}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

// Everything that is not a version must look like a location; a value that
// looks like a version attempt (1.2, v1.2.3, 01.2.3) is reported as such.
function checkValue(file: string, key: string | undefined, value: string): void {
  if (isVersion(value)) return;
  const entry = key === undefined ? "" : ` entry ${JSON.stringify(key)}:`;
  const fail = (why: string) =>
    new InvalidInputError(`manifest ${file}:${entry} ${JSON.stringify(value)} ${why}`);
  if (/^v?\d[\d.]*$/i.test(value) || /^\d+\.\d+\.\d+[-+]/.test(value)) {
    throw fail("is not a version; expected MAJOR.MINOR.PATCH, e.g. 1.2.5");
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    try {
      const uri = parseUri(value);
      if (uri.scheme === "s3" && (uri.key === "" || uri.key.endsWith("/"))) {
        throw new InvalidInputError("names a bucket or directory, not an object");
      }
    } catch (cause) {
      throw new InvalidInputError(
        `manifest ${file}:${entry} override ${JSON.stringify(value)} is invalid: ${
          (cause as Error).message
        }`,
        { cause },
      );
    }
    return;
  }
  if (value.includes("\0")) throw fail("contains a NUL character");
  if (isAbsolute(value) || /^\.\.?[\\/]/.test(value)) return;
  throw fail(
    "is neither a version (MAJOR.MINOR.PATCH) nor an override (s3:// or file:// URI, or a path starting with /, ./ or ../)",
  );
}

// JSON.parse keeps the last of two identical keys silently. The manifest is a
// flat object of strings (checked before this runs), so its string tokens
// alternate key, value, key, value: scanning them finds literal duplicates.
function checkLiteralDuplicates(text: string, file: string): void {
  const seen = new Set<string>();
  let index = 0;
  for (const match of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    if (index++ % 2 !== 0) continue;
    const key = JSON.parse(match[0]) as string;
    if (seen.has(key)) {
      const where = lineColumn(text, match.index);
      throw new InvalidInputError(
        `manifest ${file}:${where.line}:${where.column}: entry ${
          JSON.stringify(key)
        } appears more than once`,
      );
    }
    seen.add(key);
  }
}

function syntaxErrorLocation(
  text: string,
  message: string,
): { line: number; column: number } | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (pos) return lineColumn(text, Number(pos[1]));
  if (/end of (JSON )?input/i.test(message)) return lineColumn(text, text.length);
  return undefined;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
