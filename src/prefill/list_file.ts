/**
 * Prefill items and list files: what `vc prefill` is asked to fetch.
 *
 * An item is an `s3://bucket/key` or `file:///path` URI, or a versioned path
 * (`/foo/bar.csv`, pinned by the manifest) optionally at a version
 * (`/foo/bar.csv@1.2.5`). A list file has one item per line; blank lines and
 * lines starting with `#` are ignored.
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { parseUri } from "../uri.ts";
import { normalizeVersionedPath } from "../versioned/naming.ts";
import { assertVersion } from "../versioned/version.ts";

/** A parsed prefill item. */
export type PrefillItem =
  | { kind: "uri"; uri: string }
  | { kind: "versioned"; path: string; version?: string };

/**
 * Parses one prefill item; throws `InvalidInputError` naming it when it is
 * neither a store URI nor a versioned path.
 *
 * A trailing `@` followed by something that starts like a version (`@1.2.5`,
 * `@v1`) is a version and must be `MAJOR.MINOR.PATCH`; any other `@` is part
 * of the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrefillItem } from "./list_file.ts";
 * const v = parsePrefillItem("/foo/bar.csv@1.2.5");
 * assert(v.kind === "versioned" && v.path === "/foo/bar.csv" && v.version === "1.2.5");
 * assert(parsePrefillItem("s3://b/k.csv").kind === "uri");
 * ```
 */
export function parsePrefillItem(item: string): PrefillItem {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(item)) {
    const uri = parseUri(item);
    if (uri.scheme === "s3" && (uri.key === "" || uri.key.endsWith("/"))) {
      throw new InvalidInputError(`${item} names a bucket or directory, not an object`);
    }
    return { kind: "uri", uri: item };
  }
  if (!item.startsWith("/")) {
    throw new InvalidInputError(
      `${
        JSON.stringify(item)
      } is neither an s3:// or file:// URI nor a versioned path starting with / (e.g. /foo/bar.csv@1.2.5)`,
    );
  }
  const at = /^(.*)@(v?\d[^@/]*)$/.exec(item);
  if (at) {
    const path = normalizeVersionedPath(at[1] as string);
    const version = at[2] as string;
    assertVersion(version, `version in ${item}`);
    return { kind: "versioned", path, version };
  }
  return { kind: "versioned", path: normalizeVersionedPath(item) };
}

/**
 * Reads a list file: one URI or versioned path per line, `#` comment lines and
 * blank lines ignored, surrounding whitespace trimmed. Throws `NotFoundError`
 * for a missing file and `InvalidInputError` naming the file and line number
 * for a bad line.
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
export async function readListFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new NotFoundError(`list file ${path} does not exist`, { cause });
    }
    throw cause;
  }
  const items: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      parsePrefillItem(line);
    } catch (cause) {
      throw new InvalidInputError(`${path}:${index + 1}: ${(cause as Error).message}`, { cause });
    }
    items.push(line);
  }
  return items;
}
