/**
 * A new repository must not live inside another repository's content: the
 * outer repository's gc deletes every object under its content prefix that
 * none of its records references, which would be the inner repository's
 * marker, content and backups, a grace period after they were written.
 *
 * @module
 */
import { untilAborted } from "../abort_hub.ts";
import { InvalidInputError } from "../errors.ts";
import type { ObjectStore } from "../store/types.ts";
import { readSmallObjectText } from "../store/small_object.ts";
import { MARKER_KEY } from "./marker.ts";
import { fromFileUrl, joinOn, win32Root } from "../path.ts";
import { readGranted } from "../permission_granted.ts";

// Deeper than any real layout; bounds the walk up.
const MAX_DEPTH = 64;

/**
 * Throws `InvalidInputError` when the store at `storeUrl` (a `file://` or
 * `s3://` root, as `ObjectStore.url` gives it) lies under the content prefix
 * of a repository in an enclosing directory or prefix. `open` opens an
 * `s3://bucket` root for the markers' HEAD requests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseInsideRepository } from "./nesting.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/.vc-repo.json`, JSON.stringify({ contentPrefix: "content/" }));
 *   const open = () => Promise.reject(new Error("not used for file://"));
 *   await assert.rejects(() => refuseInsideRepository(`file://${dir}/content/inner`, open), /content/);
 *   await refuseInsideRepository(`file://${dir}/elsewhere`, open);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function refuseInsideRepository(
  storeUrl: string,
  open: (uri: string) => Promise<ObjectStore>,
  signal?: AbortSignal,
): Promise<void> {
  const url = new URL(storeUrl);
  if (url.protocol === "file:") {
    for (const { dir, rest } of enclosingDirs(storeUrl)) {
      // One this run may not read is not looked at: a script given its own
      // directories was asked on a terminal about every one above them.
      const marker = joinOn(Deno.build.os, dir, MARKER_KEY);
      const text = readGranted(marker)
        ? await Deno.readTextFile(marker).catch(() => undefined)
        : undefined;
      check(text, dir, rest, storeUrl);
    }
    return;
  }
  if (url.protocol !== "s3:") return;
  const segments = decodeURIComponent(url.pathname).split("/").filter((s) => s !== "");
  if (segments.length === 0) return;
  const bucket = await untilAborted(open(`s3://${url.host}`), signal, (late) => late.close());
  try {
    for (let n = segments.length - 1; n >= Math.max(0, segments.length - MAX_DEPTH); n--) {
      const prefix = segments.slice(0, n).map((s) => `${s}/`).join("");
      let text: string | undefined;
      try {
        const got = await bucket.get(
          `${prefix}${MARKER_KEY}`,
          signal === undefined ? {} : { signal },
        );
        text = await readSmallObjectText(got, `s3://${url.host}/${prefix}${MARKER_KEY}`);
      } catch {
        signal?.throwIfAborted(); // stopped, not found
        text = undefined; // no marker there (or unreadable): nothing to protect
      }
      check(text, `s3://${url.host}/${prefix}`, segments.slice(n).join("/"), storeUrl);
    }
  } finally {
    await bucket.close();
  }
}

/**
 * The directories above the directory store at `storeUrl`, nearest first up
 * to the root, each with the store's path below it (`/`-separated, as a
 * key). Read as `os` (default: this platform) reads the URL and its paths:
 * on Windows the root is a drive (`C:\\`) or a UNC share
 * (`\\\\srv\\share\\`), never above it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { enclosingDirs } from "./nesting.ts";
 * assert.deepEqual(enclosingDirs("file:///a/b", "linux"), [
 *   { dir: "/a", rest: "b" },
 *   { dir: "/", rest: "a/b" },
 * ]);
 * assert.deepEqual(enclosingDirs("file:///C:/a/b", "windows").map((d) => d.dir), ["C:\\a", "C:\\"]);
 * ```
 */
export function enclosingDirs(
  storeUrl: string,
  os: typeof Deno.build.os = Deno.build.os,
): { dir: string; rest: string }[] {
  const path = fromFileUrl(storeUrl, os);
  const windows = os === "windows";
  const root = windows ? win32Root(path) : "/";
  const segments = path.slice(root.length).split(windows ? /[\\/]/ : "/").filter((s) => s !== "");
  const dirs: { dir: string; rest: string }[] = [];
  for (let n = segments.length - 1; n >= Math.max(0, segments.length - MAX_DEPTH); n--) {
    dirs.push({
      dir: root + segments.slice(0, n).join(windows ? "\\" : "/"),
      rest: segments.slice(n).join("/"),
    });
  }
  return dirs;
}

function check(marker: string | undefined, outer: string, rest: string, storeUrl: string) {
  if (marker === undefined) return;
  let prefix: unknown;
  try {
    prefix = (JSON.parse(marker) as { contentPrefix?: unknown }).contentPrefix;
  } catch {
    return;
  }
  if (typeof prefix !== "string" || !`${rest}/`.startsWith(prefix)) return;
  throw new InvalidInputError(
    `${storeUrl} is inside the content (${prefix}) of the repository ${outer}, whose gc deletes ` +
      "what its records do not reference; create the repository elsewhere",
  );
}
