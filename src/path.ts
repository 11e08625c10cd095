/**
 * File paths and `file://` URLs without `node:path` / `node:url`: the first
 * `node:` import of a process brings up Deno's Node compatibility layer
 * (about 5 ms per module measured, 15 ms for the set vc used), which a warm
 * `vc path` cannot afford. One place for these helpers, used by every module
 * on the warm path.
 *
 * On POSIX systems the functions behave like `node:path`'s `posix` ones (a
 * test compares them on many inputs). On Windows they defer to `node:path`
 * and `node:url`, loaded only there. The few Windows-only computations vc
 * does on any platform (default dirs, the layout of `file://C:/...` paths)
 * use {@linkcode win32Join} and {@linkcode win32Root}.
 *
 * @module
 */

import { fsPlatform } from "./fs_platform.ts";

type NodePath = typeof import("node:path");
type NodeUrl = typeof import("node:url");

const WINDOWS = Deno.build.os === "windows";

// Only on Windows, on first use: elsewhere no node: module is ever loaded by
// this module. Loaded synchronously (`process.getBuiltinModule`), not by a
// top-level `await`: a module with one makes every module that imports it,
// directly or not, evaluate asynchronously, which in the release bundle is a
// chain of some hundred awaits before a warm `vc path` can start.
let loaded: { path: NodePath; url: NodeUrl } | undefined;
function native(): { path: NodePath; url: NodeUrl } {
  return loaded ??= {
    path: nodeProcess().getBuiltinModule("node:path") as NodePath,
    url: nodeProcess().getBuiltinModule("node:url") as NodeUrl,
  };
}
function nodeProcess(): { getBuiltinModule(id: string): unknown } {
  return (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } })
    .process;
}

/**
 * The platform's path separator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sep } from "./path.ts";
 * assert(sep === "/" || sep === "\\");
 * ```
 */
export const sep: string = WINDOWS ? "\\" : "/";

// node's posix normalizeString: resolves `.` and `..`, drops empty segments.
function normalizeString(path: string, allowAboveRoot: boolean): string {
  let res = "";
  let lastSegmentLength = 0;
  let lastSlash = -1;
  let dots = 0;
  let code = 0;
  for (let i = 0; i <= path.length; ++i) {
    if (i < path.length) code = path.charCodeAt(i);
    else if (code === 47) break;
    else code = 47;
    if (code === 47) {
      if (lastSlash === i - 1 || dots === 1) {
        // Empty segment or ".": nothing.
      } else if (dots === 2) {
        if (
          res.length < 2 || lastSegmentLength !== 2 || res.charCodeAt(res.length - 1) !== 46 ||
          res.charCodeAt(res.length - 2) !== 46
        ) {
          if (res.length > 2) {
            const lastSlashIndex = res.lastIndexOf("/");
            if (lastSlashIndex === -1) {
              res = "";
              lastSegmentLength = 0;
            } else {
              res = res.slice(0, lastSlashIndex);
              lastSegmentLength = res.length - 1 - res.lastIndexOf("/");
            }
            lastSlash = i;
            dots = 0;
            continue;
          } else if (res.length !== 0) {
            res = "";
            lastSegmentLength = 0;
            lastSlash = i;
            dots = 0;
            continue;
          }
        }
        if (allowAboveRoot) {
          res += res.length > 0 ? "/.." : "..";
          lastSegmentLength = 2;
        }
      } else {
        if (res.length > 0) res += `/${path.slice(lastSlash + 1, i)}`;
        else res = path.slice(lastSlash + 1, i);
        lastSegmentLength = i - lastSlash - 1;
      }
      lastSlash = i;
      dots = 0;
    } else if (code === 46 && dots !== -1) {
      ++dots;
    } else {
      dots = -1;
    }
  }
  return res;
}

function posixNormalize(path: string): string {
  if (path.length === 0) return ".";
  const absolute = path.charCodeAt(0) === 47;
  const trailing = path.charCodeAt(path.length - 1) === 47;
  let out = normalizeString(path, !absolute);
  if (out.length === 0) {
    if (absolute) return "/";
    return trailing ? "./" : ".";
  }
  if (trailing) out += "/";
  return absolute ? `/${out}` : out;
}

/**
 * True when `path` is absolute.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAbsolute } from "./path.ts";
 * assert(isAbsolute("/a/b") && !isAbsolute("a/b"));
 * ```
 */
export function isAbsolute(path: string): boolean {
  if (WINDOWS) return native().path.isAbsolute(path);
  return path.length > 0 && path.charCodeAt(0) === 47;
}

// A scheme of two characters or more, so a Windows drive (`C://x`) is a path.
const URI_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;

/**
 * Whether `value` is a URI (`s3://b/x`, `file:///x`) rather than a path.
 * Resolved as a path, such a URI is a relative one with its `//` collapsed
 * (`./s3:/b/x`): a setting that names a local file or directory refuses it
 * instead of making that directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUriNotPath } from "./path.ts";
 * assert(isUriNotPath("s3://b/x") && isUriNotPath("file:///srv/cache"));
 * assert(!isUriNotPath("/srv/cache") && !isUriNotPath("C://x") && !isUriNotPath("a:b"));
 * ```
 */
export function isUriNotPath(value: string): boolean {
  return URI_PREFIX.test(value);
}

/**
 * Joins segments and normalizes the result (`"."` for nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { join } from "./path.ts";
 * if (Deno.build.os !== "windows") assert(join("/a", "b/../c", "d") === "/a/c/d");
 * ```
 */
export function join(...paths: string[]): string {
  if (WINDOWS) return native().path.join(...paths);
  let joined: string | undefined;
  for (const p of paths) {
    if (p.length > 0) joined = joined === undefined ? p : `${joined}/${p}`;
  }
  return joined === undefined ? "." : posixNormalize(joined);
}

/**
 * The absolute path of the segments, resolved right to left against the
 * current directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolve } from "./path.ts";
 * if (Deno.build.os !== "windows") assert(resolve("/a/b", "../c", "./d/") === "/a/c/d");
 * ```
 */
export function resolve(...paths: string[]): string {
  if (WINDOWS) return native().path.resolve(...paths);
  // One absolute path already in normal form is its own resolution: the
  // cache's paths (built from encoded segments) are checked to be inside
  // its dir before every write, and normalizing one char by char cost ~0.7
  // KB of strings an object on a cold prefill.
  if (paths.length === 1) {
    const path = paths[0]!;
    if (path.charCodeAt(0) === 47 && !NOT_NORMAL.test(path)) return path;
  }
  let resolved = "";
  let absolute = false;
  for (let i = paths.length - 1; i >= -1 && !absolute; i--) {
    const path = i >= 0 ? paths[i]! : Deno.cwd();
    if (path.length === 0) continue;
    resolved = `${path}/${resolved}`;
    absolute = path.charCodeAt(0) === 47;
  }
  resolved = normalizeString(resolved, !absolute);
  if (absolute) return `/${resolved}`;
  return resolved.length > 0 ? resolved : ".";
}

// What `resolve` would change in an absolute POSIX path: an empty segment,
// a `.` or `..` segment, a trailing separator (`/` alone is in normal form).
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/**
 * The directory part of `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirname } from "./path.ts";
 * if (Deno.build.os !== "windows") assert(dirname("/a/b/c.txt") === "/a/b");
 * ```
 */
export function dirname(path: string): string {
  if (WINDOWS) return native().path.dirname(path);
  if (path.length === 0) return ".";
  const hasRoot = path.charCodeAt(0) === 47;
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; --i) {
    if (path.charCodeAt(i) === 47) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else {
      matchedSlash = false;
    }
  }
  if (end === -1) return hasRoot ? "/" : ".";
  if (hasRoot && end === 1) return "//";
  return path.slice(0, end);
}

/**
 * The last segment of `path` (without trailing separators), minus `suffix`
 * when it ends with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basename } from "./path.ts";
 * assert(basename("/a/b/c.txt") === "c.txt");
 * assert(basename("/a/b/c.txt", ".txt") === "c");
 * ```
 */
export function basename(path: string, suffix?: string): string {
  if (WINDOWS) return native().path.basename(path, suffix);
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47) end--;
  const trimmed = path.slice(0, end);
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  if (suffix !== undefined && base !== suffix && base.endsWith(suffix) && suffix.length > 0) {
    return base.slice(0, base.length - suffix.length);
  }
  return base;
}

/**
 * The relative path from `from` to `to` (both resolved first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relative } from "./path.ts";
 * if (Deno.build.os !== "windows") assert(relative("/a/b/c", "/a/d") === "../../d");
 * ```
 */
export function relative(from: string, to: string): string {
  if (WINDOWS) return native().path.relative(from, to);
  if (from === to) return "";
  const f = resolve(from).split("/").filter((s) => s !== "");
  const t = resolve(to).split("/").filter((s) => s !== "");
  let i = 0;
  while (i < f.length && i < t.length && f[i] === t[i]) i++;
  return [...Array(f.length - i).fill(".."), ...t.slice(i)].join("/");
}

/**
 * The `file://` URL of `path` (made absolute first), percent-encoded like
 * `node:url`'s `pathToFileURL`; off Windows also the colon of a first
 * directory named like a drive (`/C:/x` is `file:///C%3A/x`), whose URL would
 * otherwise be a Windows drive's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toFileUrl } from "./path.ts";
 * if (Deno.build.os !== "windows") {
 *   assert(toFileUrl("/srv/a b/#1.txt").href === "file:///srv/a%20b/%231.txt");
 *   assert(toFileUrl("/C:/x").href === "file:///C%3A/x"); // no Windows drive's URL
 * }
 * ```
 */
export function toFileUrl(path: string): URL {
  if (WINDOWS) return native().url.pathToFileURL(path);
  let abs = resolve(path);
  // resolve() drops a trailing slash; node keeps it.
  if (path.endsWith("/") && abs !== "/") abs += "/";
  let encoded = abs.replace(/[%\\\n\r\t#?]/g, (c) => FILE_URL_ESCAPES[c]!);
  // A first directory named like a drive (`/C:`, `/C|`) has its colon escaped: the
  // URL `file:///C:/x` is Windows' `C:\x`, which vc refuses off Windows
  // (`fileUriDriveProblem` in uri.ts), and the path's own URL must read back.
  if (/^\/[A-Za-z][:|](?=\/|$)/.test(encoded)) {
    encoded = `${encoded.slice(0, 2)}${encoded[2] === ":" ? "%3A" : "%7C"}${encoded.slice(3)}`;
  }
  // Set as the pathname, not parsed from a whole URL string: parsing one
  // drops trailing spaces and control characters, so the file `a ` got the
  // URL of `a` and the cache read `a` in its place. Node sets it so too.
  const url = new URL("file:///");
  url.pathname = encoded;
  return url;
}

const FILE_URL_ESCAPES: Record<string, string> = {
  "%": "%25",
  "\\": "%5C",
  "\n": "%0A",
  "\r": "%0D",
  "\t": "%09",
  "#": "%23",
  "?": "%3F",
};

/**
 * The path of a `file://` URL, like `node:url`'s `fileURLToPath`: throws a
 * `TypeError` for another scheme, a host, or an encoded `/`. With `os`
 * `"windows"` (default: this platform) the URL is read as Windows reads it:
 * `file:///C:/x` is `C:\x`, `file://srv/share/x` the UNC path
 * `\\srv\share\x` (on Windows by `node:url` itself, elsewhere by the
 * same steps, so that tests on Linux can prove Windows logic).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromFileUrl } from "./path.ts";
 * if (Deno.build.os !== "windows") {
 *   assert(fromFileUrl("file:///srv/a%20b/x.txt") === "/srv/a b/x.txt");
 *   assert.throws(() => fromFileUrl("s3://b/k"), TypeError);
 * }
 * assert.equal(fromFileUrl("file:///C:/a%20b/x.txt", "windows"), "C:\\a b\\x.txt");
 * assert.equal(fromFileUrl("file://srv/share/x", "windows"), "\\\\srv\\share\\x");
 * ```
 */
export function fromFileUrl(url: string | URL, os: typeof Deno.build.os = Deno.build.os): string {
  if (os === "windows" && WINDOWS) return native().url.fileURLToPath(url);
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "file:") throw new TypeError(`The URL must be of scheme file: ${u.href}`);
  if (os === "windows") return win32PathOfFileUrl(u);
  if (u.hostname !== "") {
    throw new TypeError(`File URL host must be "localhost" or empty on ${Deno.build.os}`);
  }
  const pathname = u.pathname;
  if (/%2f/i.test(pathname)) {
    throw new TypeError(`File URL path must not include encoded / characters: ${u.href}`);
  }
  return decodeURIComponent(pathname);
}

// node:url's Windows steps (getPathFromURLWin32), for `fromFileUrl` off Windows.
function win32PathOfFileUrl(u: URL): string {
  if (/%2f|%5c/i.test(u.pathname)) {
    throw new TypeError(`File URL path must not include encoded \\ or / characters: ${u.href}`);
  }
  const path = decodeURIComponent(u.pathname.replaceAll("/", "\\"));
  if (u.hostname !== "") return `\\\\${u.hostname}${path}`;
  if (!/^\\[A-Za-z]:/.test(path)) throw new TypeError(`File URL path must be absolute: ${u.href}`);
  return path.slice(1);
}

/**
 * `node:path`'s `win32.join` (loaded on first use), for the Windows paths vc
 * computes on any platform (default directories of a Windows user).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { win32Join } from "./path.ts";
 * assert(win32Join("C:\\Users\\me", "AppData", "Local") === "C:\\Users\\me\\AppData\\Local");
 * ```
 */
export function win32Join(...paths: string[]): string {
  // node's own: its rules for drives and UNC roots are subtle (`.` + `c:/`
  // stays the relative `.\c:\`, a bare UNC root keeps its `\`). Called for
  // Windows paths only: in production on Windows, where path.ts loads
  // node:path anyway.
  return native().path.win32.join(...paths);
}

/**
 * {@linkcode join} for the paths of `os`: `node:path`'s `win32.join`
 * ({@linkcode win32Join}) for `"windows"` on any platform, so that tests on
 * Linux can prove Windows logic; the platform's own join otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinOn } from "./path.ts";
 * assert.equal(joinOn("windows", "C:\\repo", "a/b"), "C:\\repo\\a\\b");
 * if (Deno.build.os !== "windows") assert.equal(joinOn("linux", "/repo", "a/b"), "/repo/a/b");
 * ```
 */
export function joinOn(os: typeof Deno.build.os, ...paths: string[]): string {
  return os === "windows" ? win32Join(...paths) : join(...paths);
}

/**
 * The root of a Windows path, like `node:path`'s `win32.parse(p).root`:
 * `"C:\\"`, `"C:"`, `"\\"`, `"\\\\server\\share\\"`, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { win32Root } from "./path.ts";
 * assert(win32Root("C:\\data\\x.csv") === "C:\\");
 * assert(win32Root("\\\\host\\share\\x") === "\\\\host\\share\\");
 * assert(win32Root("rel\\x") === "");
 * ```
 */
export function win32Root(path: string): string {
  const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)([\\/]|$)/.exec(path);
  if (unc) return unc[0];
  const drive = /^[A-Za-z]:[\\/]?/.exec(path);
  if (drive) return drive[0];
  if (/^[\\/]/.test(path)) return path[0]!;
  return "";
}

/**
 * Whether `path` is a fully qualified Windows path: a drive and a separator
 * (`C:\`, `d:/`) or a UNC root (`\\server\share`, `\\?\C:\`). Unlike
 * `node:path`'s `win32.isAbsolute`, `\data` (the current drive's root) is
 * not: like `C:data` (drive C's current directory), it names another
 * directory for each process. On any platform, for the Windows paths vc
 * computes there (default directories of a Windows user).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { win32IsAbsolute } from "./path.ts";
 * assert(win32IsAbsolute("C:\\Users\\ann") && win32IsAbsolute("\\\\srv\\share\\x"));
 * assert(!win32IsAbsolute("AppData\\Local") && !win32IsAbsolute("%USERPROFILE%\\x"));
 * assert(!win32IsAbsolute("\\Local") && !win32IsAbsolute("C:Local"));
 * ```
 */
export function win32IsAbsolute(path: string): boolean {
  const root = win32Root(path);
  return /^[\\/]{2}/.test(root) || /^[A-Za-z]:[\\/]$/.test(root);
}

/**
 * Whether `path` is below the directory `dir` (not `dir` itself), as
 * {@linkcode pathBelow} compares them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isInside } from "./path.ts";
 * assert(isInside("/a/b/c", "/a/b") && !isInside("/a/bc", "/a/b") && !isInside("/a/b", "/a/b"));
 * ```
 */
export function isInside(path: string, dir: string): boolean {
  const below = pathBelow(path, dir);
  return below !== undefined && below !== "";
}

/**
 * The part of `path` below the directory `dir`: `""` when it is `dir`
 * itself, undefined when it is elsewhere. Both are compared as written (make
 * them absolute, or real, first). On Windows `\` and `/` both separate, and
 * where file names ignore letter case (`fsPlatform.caseInsensitive`:
 * Windows, macOS) so does the comparison: `C:\Data\x` is below `c:/data`.
 * What is returned keeps `path`'s own spelling.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathBelow } from "./path.ts";
 * assert.equal(pathBelow("/a/b/c", "/a/b/", { os: "linux" }), "c");
 * assert.equal(pathBelow("/a/bc", "/a/b", { os: "linux" }), undefined);
 * assert.equal(pathBelow("C:\\Data\\x", "c:/data", { os: "windows", caseInsensitive: true }), "x");
 * ```
 */
export function pathBelow(
  path: string,
  dir: string,
  options: { os?: typeof Deno.build.os; caseInsensitive?: boolean } = {},
): string | undefined {
  const windows = (options.os ?? Deno.build.os) === "windows";
  const folded = options.caseInsensitive ?? fsPlatform.caseInsensitive;
  // Same length as the input (UTF-16 units), so `path` can be sliced by it.
  const spell = (p: string) => {
    const s = windows ? p.replaceAll("\\", "/") : p;
    return folded ? s.replace(/[a-z]|[\u0080-\u{10ffff}]/gu, sameLengthUpper) : s;
  };
  const p = spell(path);
  const d = spell(dir).replace(/\/+$/, "");
  if (p === d || p === `${d}/`) return "";
  return p.startsWith(`${d}/`) ? path.slice(d.length + 1) : undefined;
}

/**
 * `dir` and each directory above it that is below `root` (never `root`
 * itself), deepest first, each spelled as `dir` spells it: the directories
 * a delete may have left empty. Compared as {@linkcode pathBelow} compares
 * (same `options`): on Windows `\` and `/` both separate, so a walk's path
 * that joins `/` to a root spelled with `\` (`C:\data/sub`) is below it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parentsBelow } from "./path.ts";
 * assert.deepEqual(parentsBelow("/r/a/b", "/r", { os: "linux" }), ["/r/a/b", "/r/a"]);
 * assert.deepEqual(parentsBelow("C:\\r/a", "c:\\r", { os: "windows", caseInsensitive: true }), [
 *   "C:\\r/a",
 * ]);
 * ```
 */
export function parentsBelow(
  dir: string,
  root: string,
  options: { os?: typeof Deno.build.os; caseInsensitive?: boolean } = {},
): string[] {
  const windows = (options.os ?? Deno.build.os) === "windows";
  const trailing = windows ? /[\\/]+$/ : /\/+$/;
  const out: string[] = [];
  for (let d = dir.replace(trailing, ""); d !== "";) {
    const below = pathBelow(d, root, options);
    if (below === undefined || below === "") break;
    out.push(d);
    const cut = windows ? Math.max(d.lastIndexOf("/"), d.lastIndexOf("\\")) : d.lastIndexOf("/");
    d = cut <= 0 ? "" : d.slice(0, cut).replace(trailing, "");
  }
  return out;
}

function sameLengthUpper(c: string): string {
  const upper = c.toUpperCase();
  return upper.length === c.length ? upper : c;
}
