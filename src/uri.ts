/**
 * Parsing of the locations vc accepts: `s3://bucket/key`, `file:///abs/path`
 * and plain local paths.
 *
 * @module
 */
import {
  fromFileUrl as fileURLToPath,
  isAbsolute,
  resolve,
  toFileUrl as pathToFileURL,
  win32Root,
} from "./path.ts";
import { InvalidInputError } from "./errors.ts";
import { describeValue, requireString } from "./options_check.ts";
import { redactUrl } from "./redact.ts";
import { quoted } from "./printable.ts";
import { awsPartition, awsS3Host } from "./store/aws_partition.ts";

/**
 * Options of {@linkcode parseUri} and {@linkcode parseStoreRoot}.
 */
export interface ParseUriOptions {
  /**
   * Whether a file URI refused for its `?` or `#` may be told to become a
   * plain path (default true): where a plain path names the same place (a
   * store opened from it, a cached location), not where it names something
   * else (a mirror's local side).
   */
  plainPathAdvice?: boolean;
}

/** An object in an S3 (or S3-compatible) bucket. `key` may be empty (the bucket root). */
export interface S3Uri {
  /** Always `"s3"`. */
  scheme: "s3";
  /** Bucket name. */
  bucket: string;
  /** Key inside the bucket, without a leading slash. */
  key: string;
}

/** A file named by a `file://` URI, as an absolute local path. */
export interface FileUri {
  /** Always `"file"`. */
  scheme: "file";
  /** Absolute local path. */
  path: string;
}

/** A plain local path, kept as given (relative paths stay relative). */
export interface LocalPath {
  /** Always `"local"`. */
  scheme: "local";
  /** The path as given. */
  path: string;
}

/** Any location vc understands. */
export type ParsedUri = S3Uri | FileUri | LocalPath;

/**
 * The shape of a bucket name, shared with the settings' checks so a bucket a
 * setting accepts is one a URI accepts. Lenient on purpose: S3-compatible
 * servers accept more than AWS's DNS rules, but a bucket name never contains a
 * slash, whitespace or control characters.
 */
export const BUCKET_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * Parses `s3://bucket/key`, `file:///abs/path`, or a local path.
 *
 * Throws `InvalidInputError` naming the input for an empty or whitespace-only
 * string, one with leading whitespace (`" s3://b/k"` would be a local path),
 * an unknown
 * scheme, a bad bucket name, a NUL character, a `file://` that names no
 * path, a `file://` URI with a query or fragment (an unencoded `?` or `#`)
 * or, off Windows, a backslash ({@linkcode fileUriBackslashProblem}),
 * or a known scheme without `//` (`s3:/x`, which would otherwise be
 * taken for a local path), or a location plainly meant for a store
 * (`s3//b/x`, an S3 ARN or HTTPS URL), or off Windows a Windows path
 * (`C:\data`, `C:/data`); the message says the URI meant where that is plain
 * ({@linkcode mistypedUriHint}). Keys are kept verbatim (`..` included): stores
 * and the cache layout decide what they accept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUri } from "./uri.ts";
 * const u = parseUri("s3://my-assets/foo/bar.csv");
 * assert(u.scheme === "s3" && u.bucket === "my-assets" && u.key === "foo/bar.csv");
 * assert(parseUri("data/x.csv").scheme === "local");
 * // A Windows drive's path: a local one on Windows, refused elsewhere.
 * if (Deno.build.os === "windows") assert(parseUri("C://data/x.csv").scheme === "local");
 * else assert.throws(() => parseUri("C://data/x.csv"), /is a Windows path/);
 * assert.throws(() => parseUri("s3:/b/x"), /s3:\/\//);
 * ```
 */
export function parseUri(uri: string, options: ParseUriOptions = {}): ParsedUri {
  if (typeof uri !== "string") {
    // A URL object is the usual one: Deno's own file APIs take it.
    throw new InvalidInputError(
      `a location must be a string (s3://bucket/key, file:///path or a path), got ${
        describeValue(uri)
      }${(uri as unknown) instanceof URL ? ": pass its href" : ""}`,
    );
  }
  if (uri.length === 0) {
    throw new InvalidInputError(`empty location: expected s3://bucket/key, file:///path or a path`);
  }
  refuseStrayWhitespace(uri, false);
  if (uri.includes("\0")) {
    throw new InvalidInputError(`location ${JSON.stringify(uri)} contains a NUL character`);
  }
  if (!uri.isWellFormed()) {
    throw new InvalidInputError(
      `location ${JSON.stringify(uri)} contains a lone UTF-16 surrogate (not valid Unicode)`,
    );
  }
  // Two characters or more, as `isUriNotPath` has it: `C://data/x.csv` is a
  // Windows drive's path (`C:\data\x.csv`), not an unknown scheme `c`.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):\/\//.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // A typo of a store URI must not silently become a local directory.
    const hint = mistypedUriHint(uri);
    if (/^(s3|file|https?):/i.test(uri) || hint !== "") {
      throw new InvalidInputError(
        `malformed location ${
          JSON.stringify(redactUrl(uri))
        }: expected s3://bucket/key or file:///path${hint}`,
      );
    }
    // `C:\data` off Windows is a file of that name in the working
    // directory, not the drive meant: a pasted Windows path.
    const windowsPath = windowsPathProblem(uri);
    if (windowsPath !== undefined) throw new InvalidInputError(`location ${windowsPath}`);
    return { scheme: "local", path: uri };
  }
  if (scheme === "s3") {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const key = slash === -1 ? "" : rest.slice(slash + 1);
    if (!BUCKET_NAME.test(bucket)) {
      // `s3://KEY:SECRET@bucket/k`: credentials pasted into the URI are
      // never printed (a CI log keeps them), and are not taken either.
      if (bucket.includes("@")) {
        throw new InvalidInputError(
          `${redactUrl(uri)}: an s3:// URI holds no user name or password; give the ` +
            `credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or an AWS profile`,
        );
      }
      throw new InvalidInputError(
        `invalid bucket name ${JSON.stringify(bucket)} in ${uri}${
          bucket === "" ? ": it names no bucket (expected s3://bucket/key)" : ""
        }`,
      );
    }
    return { scheme: "s3", bucket, key };
  }
  if (scheme === "file") {
    if (/^file:\/\/(localhost)?\/?$/i.test(uri)) {
      throw new InvalidInputError(`${uri} names no directory: expected file:///path`);
    }
    // A `?` or `#` ends a file URI's path (what follows is a query or a
    // fragment, which URL parsing drops): `file:///srv/a#1` would quietly be
    // `/srv/a`, another directory than the one named, and be written into
    // (emptied, for a mirror with --delete). Such a character of a name is
    // written percent-encoded, as `joinUri` and `formatUri` write it.
    const cut = /[?#]/.exec(uri);
    if (cut !== null) {
      throw new InvalidInputError(
        `invalid file URI ${JSON.stringify(uri)}: a ${
          cut[0] === "?" ? "query (?…)" : "fragment (#…)"
        } names no file, and the URI would be ${uri.slice(0, cut.index)}; ` +
          `write "?" as %3F and "#" as %23 in a file URI${
            options.plainPathAdvice === false ? "" : ", or give the plain path"
          }`,
      );
    }
    const backslash = fileUriBackslashProblem(uri);
    if (backslash !== undefined) throw new InvalidInputError(backslash);
    const drive = fileUriDriveProblem(uri);
    if (drive !== undefined) throw new InvalidInputError(drive);
    let path: string;
    try {
      path = fileURLToPath(exactFileUrl(uri));
    } catch (cause) {
      // The parser's message quotes the URI: a password in it is not shown,
      // nor is the parser's error kept as the cause (--verbose prints it).
      const shown = redactUrl(uri);
      // The parser's "URI malformed" names neither the escape nor the fix.
      const escape = cause instanceof URIError
        ? escapeProblem(shown, options.plainPathAdvice !== false)
        : undefined;
      throw new InvalidInputError(
        `invalid file URI ${shown}: ${escape ?? (cause as Error).message.replaceAll(uri, shown)}${
          fileHostHint(uri)
        }`,
        shown === uri ? { cause } : {},
      );
    }
    // `%00` decodes to a NUL, which no path can hold: a URI that names no
    // file, refused here as a NUL written plainly is (a usage error), not
    // later by the store as a key it will not read.
    if (path.includes("\0")) {
      throw new InvalidInputError(
        `invalid file URI ${redactUrl(uri)}: %00 decodes to a NUL character, which no file name ` +
          `can hold`,
      );
    }
    // The file system resolves `a//b` to `a/b`: one file, so one path (and
    // one cache entry). S3 keys, by contrast, are exact and kept verbatim.
    return { scheme: "file", path: normalizeFilePath(path) };
  }
  throw new InvalidInputError(
    `unsupported scheme ${JSON.stringify(scheme)} in ${redactUrl(uri)}: expected s3:// or file://${
      mistypedUriHint(uri)
    }`,
  );
}

/**
 * The store URI a mistyped location most plainly means, or undefined: a
 * store URI short of a slash or a colon (`s3:/b/x`, `s3:b/x`, `s3//b/x`) or
 * of Hadoop's (`s3a://b/x`, `s3n://b/x`), an S3 object's HTTPS URL in any
 * AWS partition (virtual-hosted `https://b.s3.amazonaws.com/x`, path-style
 * `https://s3.us-east-1.amazonaws.com/b/x`, `https://b.s3.us-iso-east-1.c2s.ic.gov/x`:
 * `awsS3Host`), an S3 console link (`…/s3/object/b?prefix=x`) or ARN
 * (`arn:aws:s3:::b/x`), each `s3://b/x`, and an access point's alias typed
 * without `s3://` (`NAME-…-s3alias/x`), `s3://NAME-…-s3alias/x`; `file:rel/x` is the plain path
 * `rel/x`. The one place every command and `openStore` learn the hint from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meantStoreUri } from "./uri.ts";
 * assert.equal(meantStoreUri("s3:/b/x"), "s3://b/x");
 * assert.equal(meantStoreUri("https://b.s3.eu-west-1.amazonaws.com/x"), "s3://b/x");
 * assert.equal(meantStoreUri("arn:aws:s3:::b/x"), "s3://b/x");
 * assert.equal(meantStoreUri("data/x.csv"), undefined);
 * ```
 */
export function meantStoreUri(uri: string): string | undefined {
  return meantStore(uri)?.uri;
}

/**
 * A store URI meant, with the settings its URL's host asks for: the region of
 * another AWS partition than the commercial one, FIPS for a FIPS host.
 */
interface MeantStore {
  uri: string;
  settings?: string;
  /** A sentence the hint ends with: what the URI does not keep, or the way to a local path. */
  note?: string;
}

// An S3 access point's alias as AWS gives it out, `NAME-…-s3alias` (a
// suffix no bucket name may end in), alone or before a key.
const ACCESS_POINT_ALIAS = /^([a-z0-9][a-z0-9-]{1,61}-s3alias)(?:\/(.*))?$/;

// `s3://bucket/key`, or undefined for a name no bucket has.
const s3 = (bucket: string, key: string): MeantStore | undefined =>
  BUCKET_NAME.test(bucket) ? { uri: `s3://${bucket}${key === "" ? "" : `/${key}`}` } : undefined;

function meantStore(uri: string): MeantStore | undefined {
  // `s3:/b/x`, `s3:b/x`, `s3//b/x` (a local `s3` directory is `./s3//b/x`),
  // Hadoop's `s3a://b/x` and `s3n://b/x`.
  let m = /^s3(?::\/?|\/\/|[an]:\/\/)([^/]+)\/?(.*)$/i.exec(uri);
  if (m !== null) return s3(m[1]!, m[2]!);
  m = /^arn:aws[a-z-]*:s3:::([^/]+)\/?(.*)$/i.exec(uri);
  if (m !== null) return s3(m[1]!, m[2]!);
  m = /^file:(\/?)(?!\/)(.+)$/i.exec(uri);
  if (m !== null) return { uri: m[1] === "/" ? `file:///${m[2]}` : m[2]! };
  m = ACCESS_POINT_ALIAS.exec(uri);
  if (m !== null) {
    return {
      ...s3(m[1]!, m[2] ?? "")!,
      note: `An S3 access point's alias goes where a bucket does; a local path of that name is ` +
        `written ./${uri}`,
    };
  }
  const url = httpUrl(uri);
  if (url === undefined) return undefined;
  const meant = meantForUrl(url);
  // vc reads an object's current version only: the URI meant names no
  // version, and the hint says so rather than dropping it in silence.
  return meant !== undefined && url.searchParams.has("versionId")
    ? {
      ...meant,
      note: "It reads the current version: vc reads no S3 object version by id, so ?versionId= " +
        "is not honoured",
    }
    : meant;
}

function meantForUrl(url: URL): MeantStore | undefined {
  const link = consoleObject(url);
  if (link !== undefined) {
    const meant = s3(link.bucket, link.key);
    return meant === undefined ? undefined : withRegion(meant, link.region);
  }
  const host = awsS3Host(url.hostname);
  if (host === undefined || host.accessPoint) return undefined;
  // Virtual-hosted: the bucket is the host's first labels; path-style: the
  // path's first segment.
  const meant = meantS3Uri(url, host.bucket);
  return meant === undefined ? undefined : withRegion({ uri: meant }, host.region, host.fips);
}

// `uri` as a URL when it is an `http:` or `https:` one that parses.
function httpUrl(uri: string): URL | undefined {
  if (!/^https?:\/\//i.test(uri)) return undefined;
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

// A URI meant, with the settings it reaches that bucket only with: the region
// of another partition than AWS's commercial one, and FIPS for a FIPS host.
function withRegion(meant: MeantStore, region: string | undefined, fips = false): MeantStore {
  const settings = [
    ...(region === undefined || awsPartition(region).id === "aws" ? [] : [`AWS_REGION=${region}`]),
    ...(fips ? ["AWS_USE_FIPS_ENDPOINT=true"] : []),
  ];
  return settings.length === 0 ? meant : { ...meant, settings: settings.join(" ") };
}

// AWS's web consoles: commercial, China's and GovCloud's.
const AWS_CONSOLE_HOST =
  /^(?:[a-z0-9-]+\.)*console\.(?:aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)\.?$/i;

// The bucket, key and region of an S3 console link to an object or a folder
// (`https://s3.console.aws.amazon.com/s3/object/B?region=R&prefix=K`,
// `…/s3/buckets/B?prefix=K`, GovCloud's and China's consoles too).
function consoleObject(
  url: URL,
): { bucket: string; key: string; region: string | undefined } | undefined {
  if (!AWS_CONSOLE_HOST.test(url.hostname)) return undefined;
  const m = /^\/s3\/(?:object|buckets)\/([^/]+)\/?$/.exec(url.pathname);
  if (m === null) return undefined;
  let bucket = m[1]!;
  try {
    bucket = decodeURIComponent(bucket);
  } catch { /* kept encoded */ }
  const region = url.searchParams.get("region") ?? undefined;
  return { bucket, key: url.searchParams.get("prefix") ?? "", region };
}

// `s3://BUCKET/KEY` of an S3 URL whose bucket is `hostBucket` (its host's),
// or the path's first segment for "" (path-style); undefined for no bucket.
function meantS3Uri(url: URL, hostBucket: string): string | undefined {
  // An S3 key is written raw in an s3:// URI; a bad escape stays as written.
  // S3 reads a `+` in a URL's path as a space (the console's "Object URL"
  // writes a key's spaces so; a literal `+` is `%2B`): the key it serves.
  let path = url.pathname.replace(/^\//, "").replaceAll("+", " ");
  try {
    path = decodeURIComponent(path);
  } catch { /* kept encoded */ }
  const slash = hostBucket !== "" ? -1 : path.indexOf("/");
  const [bucket, key] = hostBucket !== ""
    ? [hostBucket, path]
    : slash === -1
    ? [path, ""]
    : [path.slice(0, slash), path.slice(slash + 1)];
  return BUCKET_NAME.test(bucket) ? `s3://${bucket}${key === "" ? "" : `/${key}`}` : undefined;
}

// The end of a refusal of an S3 access point's ARN or URL: vc names an
// access point by its alias where a bucket goes (as the SDKs take it), never
// by the host's first label (`NAME-ACCOUNT`, no bucket); undefined for any
// other location.
function accessPointHint(uri: string): string | undefined {
  let name: string | undefined;
  let account: string | undefined;
  let key: string;
  const arn =
    /^arn:aws[a-z-]*:s3(?:-object-lambda)?:([a-z0-9-]*):(\d*):accesspoint[/:]([^/]+)(?:\/object\/(.*))?$/i
      .exec(uri);
  if (arn !== null) {
    if (arn[1] === "") {
      return "; a multi-Region access point has no alias vc can reach it by: give s3://BUCKET/KEY " +
        "of one of its buckets";
    }
    [account, name, key] = [arn[2]!, arn[3]!, arn[4] ?? ""];
  } else {
    const url = httpUrl(uri);
    if (url === undefined) return undefined;
    const host = awsS3Host(url.hostname);
    if (host?.accessPoint !== true) return undefined;
    const owner = /^(.+)-(\d{12})$/.exec(host.bucket);
    [name, account] = [owner?.[1], owner?.[2]];
    key = meantS3Uri(url, "ALIAS")?.slice("s3://ALIAS/".length) ?? "";
  }
  const lookup = name === undefined || account === undefined
    ? "aws s3control get-access-point prints it"
    : `aws s3control get-access-point --account-id ${account} --name ${name} prints it`;
  return `; an S3 access point is reached by its alias in place of the bucket: ` +
    `s3://ALIAS${key === "" ? "" : `/${key}`} (${lookup})`;
}

// The end of a refusal of a URL no AWS host serves: Google Cloud Storage's
// (`gs://b/x`, `https://storage.googleapis.com/b/x`) with the URI meant,
// another http(s) server's with the form an S3-compatible server's object is
// given in (an AWS S3 host's or console's naming no bucket, the s3:// form
// alone); "" for anything else. `gsBucket` reads a gs:// URI's bucket.
function otherServerHint(uri: string, gsBucket: (url: URL) => string | undefined): string {
  // A local path (most locations parseUri is given: each is checked for a
  // mistyped URI) is no URL: not parsed as one, which throws, and made its
  // parse 5-8x an s3:// URI's (scripts/bench/uri_local_path.ts).
  if (!/^(?:gs|https?):/i.test(uri)) return "";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    url = new URL("invalid:");
  }
  const bucket = url.protocol === "gs:"
    ? gsBucket(url)
    : /^storage(?:\.cloud)?\.google(?:apis)?\.com$/i.test(url.hostname)
    ? ""
    : undefined;
  if (bucket !== undefined || /^gs:\/\//i.test(uri)) {
    // The bucket and key only: a user name, password or query is not repeated.
    const meant = bucket === undefined ? undefined : meantS3Uri(url, bucket);
    return `; Google Cloud Storage is reached through its S3-compatible API: ` +
      `${meant ?? "s3://bucket/key"} with ` +
      `AWS_ENDPOINT_URL=https://storage.googleapis.com and HMAC keys`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "";
  // AWS's own host, or its console, naming no bucket: the endpoint's form
  // below would have AWS_ENDPOINT_URL set to it.
  if (awsS3Host(url.hostname) !== undefined || AWS_CONSOLE_HOST.test(url.hostname)) {
    return "; an S3 object is given as s3://BUCKET/KEY";
  }
  return `; an object of an S3-compatible server is given as s3://BUCKET/KEY, with the server's ` +
    `URL (scheme, host and port, no bucket) in AWS_ENDPOINT_URL`;
}

/**
 * The end of an error message for a mistyped location: `"; did you mean
 * s3://b/x?"` ({@linkcode meantStoreUri}, with the region of a URL of
 * another AWS partition than the commercial one), the alias form for an
 * access point's ARN or URL, a word on Google Cloud Storage for `gs://`, or
 * `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mistypedUriHint } from "./uri.ts";
 * assert.equal(mistypedUriHint("s3:b/x"), "; did you mean s3://b/x?");
 * assert.equal(
 *   mistypedUriHint("https://b.s3.cn-north-1.amazonaws.com.cn/x"),
 *   "; did you mean s3://b/x (with AWS_REGION=cn-north-1)?",
 * );
 * assert.equal(mistypedUriHint("data/x"), "");
 * assert.equal(mistypedUriHint("s3://b/x"), "");
 * ```
 */
export function mistypedUriHint(uri: string): string {
  // An s3:// URI is no mistyped one (none of the forms below starts so): told
  // without the patterns below, whose first use costs a warm `vc path` (its
  // bucket is checked here) ~0.3 ms of CPU.
  if (/^s3:\/\//i.test(uri)) return "";
  if (/^gs:\/\//i.test(uri)) return otherServerHint(uri, (url) => url.hostname);
  const accessPoint = accessPointHint(uri);
  if (accessPoint !== undefined) return accessPoint;
  const meant = meantStore(uri);
  if (meant === undefined) return otherServerHint(uri, () => undefined);
  const path = /^file:[^/]/i.test(uri);
  // The form meant names a Windows drive off Windows (`file:/C:/x`): refused
  // in turn once given, so why, not a "did you mean" into that refusal.
  const refused = path ? windowsPathProblem(meant.uri) : fileUriDriveProblem(meant.uri);
  if (refused !== undefined) {
    return `${path ? " (a file URI holds an absolute path, file:///abs/dir)" : ""}; ${refused}`;
  }
  return path
    ? ` (a file URI holds an absolute path, file:///abs/dir); did you mean the path ${
      JSON.stringify(meant.uri)
    }?`
    : `; did you mean ${meant.uri}${
      meant.settings === undefined ? "" : ` (with ${meant.settings})`
    }?${meant.note === undefined ? "" : ` ${meant.note}`}`;
}

/**
 * Why `uri` (a `file://` URI) is refused for a backslash on `os` (default
 * this platform), or undefined. URL parsing reads a `\\` in a `file:` URL as
 * `/`, which on Windows is what it means (a separator), but elsewhere names
 * another file than the one written: `file:///srv/out\\dir` would be
 * `/srv/out/dir`, not the directory `out\\dir` (a name Linux and macOS take),
 * and be read or written in its place. A backslash of a name is written
 * `%5C`, as `joinUri` and `formatUri` write it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileUriBackslashProblem } from "./uri.ts";
 * assert.match(fileUriBackslashProblem("file:///srv/a\\b.csv", "linux") ?? "", /%5C/);
 * assert.equal(fileUriBackslashProblem("file:///C:\\data\\b.csv", "windows"), undefined);
 * assert.equal(fileUriBackslashProblem("file:///srv/a%5Cb.csv", "linux"), undefined);
 * ```
 */
export function fileUriBackslashProblem(
  uri: string,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  if (os === "windows" || !uri.includes("\\")) return undefined;
  return `invalid file URI ${JSON.stringify(redactUrl(uri))}: a URI reads a backslash as "/" ` +
    `(it would be ${redactUrl(uri.replaceAll("\\", "/"))}); write "/" between directories, ` +
    `or a backslash of a file name as %5C`;
}

/**
 * Why `path` is refused as a local path on `os` (default this platform), or
 * undefined: a Windows path with a drive (`C:\\data`, or `C:/data` as a
 * JSON settings file spells it) off Windows is a relative path there, a
 * file of that name, not the drive meant (a path pasted from Windows, an
 * environment file or CI script written there).
 * `./C:\\data` names such a file. The one check of
 * locations ({@linkcode parseUri}) and of settings that name a local file
 * or directory (`VC_CACHE_DIR`, `--manifest`, `DEST`, ...). The text
 * starts with the quoted path, for the caller to put its name before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsPathProblem } from "./uri.ts";
 * assert.match(windowsPathProblem("C:\\vc", "linux") ?? "", /^"C:\\\\vc" is a Windows path/);
 * assert.equal(windowsPathProblem("C:\\vc", "windows"), undefined);
 * assert.match(windowsPathProblem("C:/vc", "linux") ?? "", /is a Windows path/);
 * assert.equal(windowsPathProblem("./C:\\vc", "linux"), undefined);
 * ```
 */
export function windowsPathProblem(
  path: string,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  if (os === "windows" || !/^[A-Za-z]:[\\/]/.test(path)) return undefined;
  return `${JSON.stringify(path)} is a Windows path, but this system is ${os}: here it is a ` +
    `relative path, a file named "${path}", not drive ${path[0]!.toUpperCase()}:; give a path ` +
    `of this system (or ./${path} for a file of that name)`;
}

/**
 * Why `uri` (a `file://` URI) is refused for naming a Windows drive on `os`
 * (default this platform), or undefined. `file:///C:/backup` is Windows'
 * `C:\backup`; on Linux and macOS it is the directory `/C:/backup` at the
 * root of the file system, which a mirror or a bucket setting would make
 * and write into (a URI written on Windows, read elsewhere). A directory
 * really named `C:` there has its colon escaped (`file:///C%3A/…`, the URL
 * `toFileUrl` gives its path), which names no drive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileUriDriveProblem } from "./uri.ts";
 * assert.match(fileUriDriveProblem("file:///C:/backup", "linux") ?? "", /Windows drive C:/);
 * assert.equal(fileUriDriveProblem("file:///C:/backup", "windows"), undefined);
 * assert.equal(fileUriDriveProblem("file:///C%3A/backup", "linux"), undefined);
 * ```
 */
export function fileUriDriveProblem(
  uri: string,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  if (os === "windows") return undefined;
  let pathname: string;
  try {
    const url = new URL(uri);
    if (url.protocol !== "file:" || url.hostname !== "") return undefined;
    pathname = url.pathname;
  } catch {
    return undefined; // the caller's parse says what is wrong
  }
  const drive = /^\/([A-Za-z])[:|](?=\/|$)/.exec(pathname);
  if (drive === null) return undefined;
  const letter = drive[1]!;
  const rest = pathname.slice(drive[0].length);
  return `file URI ${JSON.stringify(redactUrl(uri))} names the Windows drive ` +
    `${letter.toUpperCase()}:, but this system is ${os}: it would be /${letter}:${rest}, a ` +
    `directory "${letter}:" at the root of the file system; give a file:// URI of this system ` +
    `(or file:///${letter}%3A${rest} for a directory of that name)`;
}

/**
 * Parses the root of a store (`openStore`, `--repo`, `--bucket`): as
 * {@linkcode parseUri}, and also refuses trailing whitespace. An object's key
 * may end in a space (S3 allows it, and so the cache does), but a root with
 * one is a pasted slip that would create a directory (or prefix) whose name
 * ends in a space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStoreRoot } from "./uri.ts";
 * assert.equal(parseStoreRoot("s3://b/p").scheme, "s3");
 * assert.throws(() => parseStoreRoot("file:///srv/x "), /ends with whitespace/);
 * assert.throws(() => parseStoreRoot("  "), /only whitespace/);
 * ```
 */
export function parseStoreRoot(uri: string, options: ParseUriOptions = {}): ParsedUri {
  if (typeof uri === "string") refuseStrayWhitespace(uri, true);
  return parseUri(uri, options);
}

function refuseStrayWhitespace(uri: string, trailing: boolean): void {
  const why = strayWhitespace(uri, trailing);
  if (why !== undefined) throw new InvalidInputError(`location ${JSON.stringify(uri)} ${why}`);
}

/**
 * Why `location` is refused for its whitespace, or undefined: a
 * whitespace-only one would be a directory named by spaces in the working
 * directory, and a leading space turns `s3://b/k` into a local path; with
 * `trailing` (a store root, not an object), a trailing one too. All pasted
 * slips, so the reason says what was meant. The one check of every location
 * parser (this module's, and `normalizeBucket` for bucket settings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strayWhitespace } from "./uri.ts";
 * assert.equal(strayWhitespace("s3://b/k ", false), undefined);
 * assert.match(strayWhitespace("s3://b/k ", true) ?? "", /did you mean "s3:\/\/b\/k"/);
 * ```
 */
export function strayWhitespace(location: string, trailing: boolean): string | undefined {
  if (location.length === 0) return undefined; // each parser's own "empty" message
  if (location.trim() === "") {
    return "is only whitespace: expected s3://bucket/key, file:///path or a path";
  }
  const start = /^\s/.test(location);
  if (!start && !(trailing && /\s$/.test(location))) return undefined;
  const meant = trailing ? location.trim() : location.trimStart();
  // A line break is no pasted space: a YAML block scalar or a CRLF file left it.
  const slip = /[\r\n]/.test(location.replace(meant, ""))
    ? "a line break a YAML block or a CRLF file left?"
    : "a pasted space?";
  return `${start ? "starts" : "ends"} with whitespace (${slip}): did you mean ${
    JSON.stringify(meant)
  }?`;
}

// `file://data/x` (two slashes, a relative path in mind) names the host
// "data": the usual slip, so the error says how the URI is read.
function fileHostHint(uri: string): string {
  let host = "";
  try {
    host = new URL(uri).hostname;
  } catch {
    return "";
  }
  if (host === "") return "";
  const rest = uri.replace(/^file:\/\//i, "");
  return ` ("${host}" is read as a host name; a file:// URI holds an absolute path, three ` +
    `slashes: file:///${rest} is /${rest})`;
}

// Why the %-escapes of a file URI do not decode: a `%` that starts none
// (`100%.csv`, a file name's percent sign), or escapes that make no UTF-8
// text (`%ED%A0%80`, an encoded UTF-16 surrogate; `%FF`); else undefined.
function escapeProblem(uri: string, plainPathAdvice: boolean): string | undefined {
  const bare = /%(?![0-9A-Fa-f]{2})/.exec(uri);
  if (bare !== null) {
    return `${JSON.stringify(uri.slice(bare.index, bare.index + 3))} starts no %-escape ` +
      `(write "%" as %25 in a file URI${plainPathAdvice ? ", or give the plain path" : ""})`;
  }
  for (const run of uri.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    try {
      decodeURIComponent(run);
    } catch {
      return `${run} decodes to no UTF-8 text, so it names no file`;
    }
  }
  return undefined;
}

/**
 * URL parsing drops trailing spaces and control characters and every tab or
 * newline (`file:///d/h.csv ` would be `/d/h.csv`, another file); escaped,
 * they stay part of the path, as they do of an S3 key.
 */
function exactFileUrl(uri: string): string {
  return uri.replace(
    // deno-lint-ignore no-control-regex -- matching control characters is the point
    /[\t\n\r]|[\x00-\x20]+$/g,
    (run) => [...run].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
  );
}

/**
 * Collapses runs of path separators in an absolute local path into one, as
 * the file system does when it resolves the path (`/a//b` is `/a/b`). The
 * root is kept: a Windows drive (`C:\\`) or UNC share (`\\\\srv\\share\\`);
 * there both `\\` and `/` separate and a run becomes one `\\`; on POSIX only
 * `/` does. A trailing separator stays (one). `.` and `..` are left alone
 * (URL parsing has resolved them in a `file://` URI already; in a path, `..`
 * after a link is not lexical).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeFilePath } from "./uri.ts";
 * assert.equal(normalizeFilePath("/tmp/a//b.csv", "linux"), "/tmp/a/b.csv");
 * assert.equal(normalizeFilePath("\\\\srv\\share\\\\x", "windows"), "\\\\srv\\share\\x");
 * ```
 */
export function normalizeFilePath(
  path: string,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  if (os !== "windows") return path.replace(/\/{2,}/g, "/");
  const root = win32Root(path);
  let rest = path.slice(root.length);
  if (/[\\/]$/.test(root)) rest = rest.replace(/^[\\/]+/, "");
  return root + rest.replace(/[\\/]+/g, "\\");
}

/**
 * Formats a parsed location back into its URI (local paths stay paths).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUri } from "./uri.ts";
 * assert(formatUri({ scheme: "s3", bucket: "b", key: "k.csv" }) === "s3://b/k.csv");
 * ```
 */
export function formatUri(uri: ParsedUri): string {
  if (typeof uri !== "object" || uri === null) throw notParsedUri(uri);
  switch (uri.scheme) {
    case "s3":
      return `s3://${uri.bucket}/${uri.key}`;
    case "file":
      return pathToFileURL(uri.path).href;
    case "local":
      return uri.path;
  }
  throw notParsedUri(uri);
}

// A JavaScript caller's null, or an object of its own, given to formatUri:
// a bare TypeError, or `undefined` returned as the URI.
function notParsedUri(uri: unknown): InvalidInputError {
  return new InvalidInputError(
    `formatUri(): the location must be one parseUri returns ({ scheme: "s3" | "file" | ` +
      `"local" }), got ${describeValue(uri)}`,
  );
}

/**
 * True for locations that live in a store (`s3://`, `file://`), false for plain paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isStoreUri } from "./uri.ts";
 * assert(isStoreUri("s3://b/k") && !isStoreUri("./k"));
 * ```
 */
export function isStoreUri(uri: string): boolean {
  return /^(s3|file):\/\//i.test(uri);
}

/**
 * The URI of `key` under a store root URI (`s3://bucket/prefix`, `file:///dir`).
 * S3 keys stay raw, as S3 URIs are conventionally written, and exact: a key
 * with a leading `/` is another key on S3 (`s3://b//x` is key `/x`), so it
 * keeps its slash. In a `file:` URI each segment is percent-encoded, so that
 * `%`, `?`, `#` and non-ASCII in a key come back unchanged from
 * {@linkcode parseUri}; leading slashes are dropped there, as a directory
 * store has no such keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinUri, parseUri } from "./uri.ts";
 * assert(joinUri("s3://b/pre/", "x/y.csv") === "s3://b/pre/x/y.csv");
 * assert(joinUri("s3://b", "y.csv") === "s3://b/y.csv");
 * assert(joinUri("s3://b", "/y.csv") === "s3://b//y.csv");
 * assert.deepEqual(parseUri(joinUri("s3://b", "/y.csv")), { scheme: "s3", bucket: "b", key: "/y.csv" });
 * const u = parseUri(joinUri("file:///srv", "r%41?#.txt"));
 * assert(u.scheme === "file" && u.path === "/srv/r%41?#.txt");
 * ```
 */
export function joinUri(root: string, key: string): string {
  requireString("joinUri(): the root", root);
  requireString("joinUri(): the key", key);
  const base = root.replace(/\/+$/, "");
  if (!/^file:/i.test(base)) return `${base}/${key}`;
  const rest = key.replace(/^\/+/, "");
  return `${base}/${rest.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Turns a directory path (relative or absolute) or a `file://` URI into a `file://` URI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toStoreUri } from "./uri.ts";
 * assert(toStoreUri("/srv/assets").startsWith("file:///"));
 * assert(toStoreUri("s3://b/p") === "s3://b/p");
 * ```
 */
export function toStoreUri(location: string): string {
  requireString("toStoreUri(): the location", location);
  refuseStrayWhitespace(location, false);
  if (isStoreUri(location)) return location;
  const abs = isAbsolute(location) ? location : resolve(location);
  return pathToFileURL(abs).href;
}

/** A `.` or `..` path segment somewhere in a key or prefix. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Throws `InvalidInputError` naming `text` (a key, or with `what` =
 * `"prefix"` a store's key prefix) and `where` when it has a `.` or `..`
 * segment: the one rule every store and every command applies to them
 * (see `store/object_rules.ts`), with one message saying what it would be read as.
 * A prefix (as written after the bucket's `/`, or a flag's value without
 * its one leading `/`; one trailing `/` allowed) is also refused for an
 * empty segment (`a//b`, `/data`): the one rule of store URIs,
 * `--bucket`, `--repo` and `vc mirror`'s prefixes.
 * An empty `where` is left out of the message (a flag's value, named by
 * the flag).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDotSegments } from "./uri.ts";
 * checkDotSegments("a/.b/c..d", "s3://b"); // dots inside a name are plain characters
 * assert.throws(() => checkDotSegments("a/../b", "s3://b"), /would take it for "b"/);
 * assert.throws(() => checkDotSegments("p/./q", "s3://b", "prefix"), /prefix "p\/\.\/q"/);
 * checkDotSegments("a//b", "s3://b"); // a key may hold "//"
 * checkDotSegments("a/b/", "s3://b", "prefix");
 * assert.throws(() => checkDotSegments("a//b", "s3://b", "prefix"), /empty segment.*"a\/b"/);
 * ```
 */
export function checkDotSegments(
  text: string,
  where: string,
  what: "key" | "prefix" = "key",
): void {
  if (what === "prefix") checkEmptySegments(text, where);
  // Checked per request: the common key costs one scan, no array.
  if (!DOT_SEGMENT.test(text)) return;
  const segments = text.split("/");
  const dot = segments.find((s) => s === "." || s === "..")!;
  // A directory store holds no such key to list or delete.
  const advice = what === "prefix"
    ? "; write the prefix without it"
    : where.startsWith("file:")
    ? ""
    : "; vc lists it and deletes it by name, and aws s3 cp copies it to a plain key";
  const shown = `${what} ${quoted(text)}${where === "" ? "" : ` in ${where}`}`;
  throw new InvalidInputError(
    `${shown} has a "${dot}" path segment: S3 keeps it as written (other tools make such ` +
      `keys), but a URL or a file path would take it for ${resolvedDots(segments, where)}, ` +
      `so no vc store reads or writes it${advice}`,
  );
}

// A prefix's empty segment (`s3://b/a//b`, `s3://b//data`): S3 keeps such
// keys, but a prefix typed with one is almost always a slip, and taking it
// as written (`openStore`) or collapsed (`vc mirror`, as it once did) reads
// or writes another prefix than the one meant: refused, saying how to write
// it. One trailing slash is the directory's own.
function checkEmptySegments(text: string, where: string): void {
  const body = text.length > 1 && text.endsWith("/") ? text.slice(0, -1) : text;
  if (body === "" || !body.split("/").includes("")) return;
  const meant = body.split("/").filter((s) => s !== "").join("/");
  throw new InvalidInputError(
    `prefix ${quoted(text)}${where === "" ? "" : ` in ${where}`} has an empty segment ` +
      `("//", or a "/" after the bucket's): S3 keeps such keys, but a prefix typed with one ` +
      `is almost always a slip, so vc refuses it rather than guess; write one "/" between ` +
      `directories${meant === "" ? " (or no prefix)" : ` (${quoted(meant)})`}`,
  );
}

// What a URL parser makes of the segments (RFC 3986 remove_dot_segments),
// said in words: `a/../b` is "b", `a/..` the root, `../b` above the root.
function resolvedDots(segments: readonly string[], where: string): string {
  const out: string[] = [];
  for (const s of segments) {
    if (s === "..") {
      if (out.pop() === undefined) return `a key outside ${where === "" ? "it" : where}`;
    } else if (s !== ".") out.push(s);
  }
  if (out.length === 0) return where === "" ? "the root" : `the root of ${where}`;
  return JSON.stringify(out.join("/") + ([".", ".."].includes(segments.at(-1)!) ? "/" : ""));
}
