/**
 * HTTP conditions and ranges as S3 evaluates them: `If-Match`,
 * `If-None-Match`, `If-(Un)Modified-Since` and `Range: bytes=...`.
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";

/**
 * True when an `If-Match` / `If-None-Match` header value matches `etag`
 * (unquoted): `*` matches anything, lists and quotes and `W/` are handled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etagMatches } from "./conditions.ts";
 * assert(etagMatches('"abc", "def"', "def"));
 * assert(etagMatches("*", "abc") && !etagMatches('"x"', "abc"));
 * ```
 */
export function etagMatches(header: string, etag: string): boolean {
  for (const part of header.split(",")) {
    const tag = part.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
    if (tag === "*" || tag === etag) return true;
  }
  return false;
}

/** The parts of an object a conditional read needs. */
export interface Validators {
  /** ETag without quotes. */
  etag: string;
  /** Last modification time. */
  lastModified: Date;
}

// HTTP dates have one-second resolution; compare at that resolution.
function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function parseHttpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/**
 * Evaluates the conditional headers of a GET or HEAD: throws
 * `PreconditionFailed` (412) or `NotModified` (304) as S3 does.
 * `If-Match` takes precedence over `If-Unmodified-Since` and `If-None-Match`
 * over `If-Modified-Since`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkReadConditions } from "./conditions.ts";
 * const v = { etag: "abc", lastModified: new Date() };
 * checkReadConditions(new Headers({ "if-match": '"abc"' }), v, "k"); // passes
 * try {
 *   checkReadConditions(new Headers({ "if-none-match": '"abc"' }), v, "k");
 * } catch (e) {
 *   assert((e as { status: number }).status === 304);
 * }
 * ```
 */
export function checkReadConditions(headers: Headers, object: Validators, key: string): void {
  const etagHeaders = { "ETag": `"${object.etag}"` };
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!etagMatches(ifMatch, object.etag)) {
      throw new S3Error("PreconditionFailed", `If-Match ${ifMatch} does not match ${key}`, {
        key,
      });
    }
  } else {
    const since = parseHttpDate(headers.get("if-unmodified-since"));
    if (since !== undefined && seconds(object.lastModified) > since) {
      throw new S3Error("PreconditionFailed", `${key} was modified after If-Unmodified-Since`, {
        key,
      });
    }
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (etagMatches(ifNoneMatch, object.etag)) {
      throw new S3Error("NotModified", "Not Modified", { key, headers: etagHeaders });
    }
  } else {
    const since = parseHttpDate(headers.get("if-modified-since"));
    if (since !== undefined && seconds(object.lastModified) <= since) {
      throw new S3Error("NotModified", "Not Modified", { key, headers: etagHeaders });
    }
  }
}

/**
 * Evaluates the conditions of a write (PUT, copy destination, multipart
 * completion) against the current object: `If-None-Match: *` fails when it
 * exists, `If-Match` fails on another ETag and with NoSuchKey when it is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWriteConditions } from "./conditions.ts";
 * const h = new Headers({ "if-none-match": "*" });
 * checkWriteConditions(h, undefined, "k"); // creating: fine
 * let status = 0;
 * try {
 *   checkWriteConditions(h, { etag: "e" }, "k");
 * } catch (e) {
 *   status = (e as { status: number }).status;
 * }
 * assert(status === 412);
 * ```
 */
export function checkWriteConditions(
  headers: Headers,
  existing: { etag: string } | undefined,
  key: string,
): void {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && existing && etagMatches(ifNoneMatch, existing.etag)) {
    throw new S3Error(
      "PreconditionFailed",
      `If-None-Match ${ifNoneMatch} failed: ${key} already exists`,
      { key },
    );
  }
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!existing) {
      throw new S3Error("NoSuchKey", `If-Match ${ifMatch} failed: ${key} does not exist`, {
        key,
      });
    }
    if (!etagMatches(ifMatch, existing.etag)) {
      throw new S3Error(
        "PreconditionFailed",
        `If-Match ${ifMatch} does not match the ETag of ${key}`,
        { key },
      );
    }
  }
}

/** A satisfiable byte range: `start` inclusive, `end` exclusive. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
}

/**
 * Resolves a `Range` header against an object size. Returns `undefined` when
 * the whole object should be sent (no header, or a form S3 ignores, such as
 * several ranges); throws `InvalidRange` (416) when unsatisfiable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRange } from "./conditions.ts";
 * assert(JSON.stringify(parseRange("bytes=2-4", 10, "k")) === '{"start":2,"end":5}');
 * assert(JSON.stringify(parseRange("bytes=-3", 10, "k")) === '{"start":7,"end":10}');
 * assert(parseRange(null, 10, "k") === undefined);
 * ```
 */
export function parseRange(
  header: string | null,
  size: number,
  key: string,
): ByteRange | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return undefined;
  const unsatisfiable = () =>
    new S3Error("InvalidRange", `The requested range ${header} is not satisfiable for ${key}`, {
      key,
      headers: { "Content-Range": `bytes */${size}` },
    });
  if (a === "") {
    const n = Number(b);
    if (n === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  if (start >= size) throw unsatisfiable();
  if (b === "") return { start, end: size };
  const last = Number(b);
  if (last < start) return undefined; // syntactically invalid: RFC 9110 says ignore it
  return { start, end: Math.min(size, last + 1) };
}
