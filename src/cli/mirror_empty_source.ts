/**
 * `vc mirror` from a source that holds nothing: a mistyped prefix
 * (`s3://b/typo`) or an empty directory read as "0 uploaded" and exit 0 with
 * no hint. The run found nothing to mirror; this looks (cheaply) whether the
 * source really holds nothing, and what near name its parent holds.
 *
 * @module
 */
import { dirname, fromFileUrl, join, toFileUrl } from "../path.ts";
import { closest, nearSiblingDirectory } from "../suggest.ts";
import type { ObjectStore } from "../store/types.ts";
import { joinUri } from "../uri.ts";

/** Objects a look for near prefixes reads at most (one page of an S3 listing). */
export const NEAR_PREFIX_LISTING = 1000;

/**
 * Why `source` (a local directory, or a store URI listed under `prefix`, a
 * normalized key prefix: `""` or `x/`) gave the mirror nothing, when it holds
 * no object or file at all: `s3://b/dat holds no objects; did you mean
 * s3://b/data?`. Undefined when it holds something (the filters left it
 * out) or the look failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptySourceWarning } from "./mirror_empty_source.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/data`);
 *   await Deno.writeTextFile(`${dir}/data/a.txt`, "a");
 *   await Deno.mkdir(`${dir}/dat`);
 *   const warning = await emptySourceWarning(`${dir}/dat`, "", () => Promise.reject());
 *   assert.match(warning ?? "", /dat holds no files, .*did you mean .*data\?/);
 *   assert.equal(await emptySourceWarning(`${dir}/data`, "", () => Promise.reject()), undefined);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function emptySourceWarning(
  source: string,
  prefix: string,
  openStore: (uri: string) => Promise<ObjectStore>,
): Promise<string | undefined> {
  try {
    const bare = prefix.replace(/\/$/, "");
    if (!/^[a-z][a-z0-9+.-]*:/i.test(source) || /^file:/i.test(source)) {
      const root = /^file:/i.test(source) ? fromFileUrl(source) : source;
      const dir = bare === "" ? root : join(root, bare);
      if (await hasEntry(dir)) return undefined;
      const file = /^file:/i.test(source);
      const guess = await nearDirectory(dir);
      // Said as typed: a `file://` source's near prefix as a URI too.
      const near = guess === undefined || !file
        ? guess
        : bare === ""
        ? toFileUrl(guess).href
        : nameOf(source, join(bare, "..", guess.slice(dirname(guess).length + 1)));
      const named = file ? nameOf(source, bare) : dir;
      return `${named} holds no ${
        file ? "objects" : "files"
      }, so nothing was mirrored (a mistyped ${file ? "prefix" : "path"}?)${
        near === undefined ? "" : `; did you mean ${near}?`
      }`;
    }
    const named = nameOf(source, bare);
    const store = await openStore(source);
    try {
      for await (const _ of store.list(prefix)) return undefined;
    } finally {
      await store.close();
    }
    const near = await nearPrefix(named, openStore);
    return `${named} holds no objects, so nothing was mirrored (a mistyped prefix?)${
      near === undefined ? "" : `; did you mean ${near}?`
    }`;
  } catch {
    return undefined;
  }
}

/** The source as listed: its URI with the prefix, without a trailing slash. */
function nameOf(source: string, bare: string): string {
  const base = source.replace(/\/+$/, "");
  return bare === "" ? base : joinUri(base, bare);
}

async function hasEntry(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return false;
}

/** A sibling directory of `dir` whose name is a near one, holding something. */
async function nearDirectory(dir: string): Promise<string | undefined> {
  const near = await nearSiblingDirectory(dir);
  return near !== undefined && await hasEntry(near) ? near : undefined;
}

/**
 * A prefix beside `uri`'s last segment with a near name, from one listing of
 * its parent (at most {@linkcode NEAR_PREFIX_LISTING} objects): `s3://b/data`
 * for `s3://b/dat`. None at a bucket's root.
 */
async function nearPrefix(
  uri: string,
  openStore: (uri: string) => Promise<ObjectStore>,
): Promise<string | undefined> {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/]+)\/(.+)$/i.exec(uri);
  if (match === null) return undefined;
  const segments = match[2]!.split("/");
  const name = segments.pop()!;
  const parent = segments.length === 0 ? match[1]! : `${match[1]}/${segments.join("/")}`;
  const names = new Set<string>();
  const store = await openStore(parent);
  try {
    let seen = 0;
    for await (const info of store.list("")) {
      const slash = info.key.indexOf("/");
      if (slash > 0) names.add(info.key.slice(0, slash));
      if (++seen >= NEAR_PREFIX_LISTING) break;
    }
  } finally {
    await store.close();
  }
  names.delete(name);
  const guess = closest(name, [...names]);
  return guess === undefined ? undefined : `${parent}/${guess}`;
}
