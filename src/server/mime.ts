/**
 * Response headers derived from a stored filename: the content type (from a
 * small extension table) and `Content-Disposition`; and the security headers
 * every response carries.
 *
 * @module
 */

const TYPES: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
  json: "application/json",
  jsonl: "application/jsonl",
  xml: "application/xml",
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  yaml: "application/yaml",
  yml: "application/yaml",
  fa: "text/plain; charset=utf-8",
  fasta: "text/plain; charset=utf-8",
  fastq: "text/plain; charset=utf-8",
  gff: "text/plain; charset=utf-8",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  bz2: "application/x-bzip2",
  xz: "application/x-xz",
  zst: "application/zstd",
  tar: "application/x-tar",
  parquet: "application/vnd.apache.parquet",
  npy: "application/octet-stream",
};

/**
 * The content type for a filename's extension (`application/octet-stream`
 * when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentTypeFor } from "./mime.ts";
 * assert(contentTypeFor("report.PDF") === "application/pdf");
 * assert(contentTypeFor("blob") === "application/octet-stream");
 * ```
 */
export function contentTypeFor(filename: string): string {
  const dot = filename.lastIndexOf(".");
  if (dot < 0) return "application/octet-stream";
  return TYPES[filename.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}

/**
 * `Content-Disposition: attachment` with an ASCII `filename` and the exact
 * UTF-8 name as `filename*` (RFC 6266). The ASCII fallback replaces what a
 * quoted string cannot carry safely (non-ASCII, controls, `"`, `\\`) and `%`
 * (some browsers percent-decode `filename`) with `_`; nothing a stored name
 * holds can end the header or add another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDisposition } from "./mime.ts";
 * assert.equal(contentDisposition("a b.txt"), `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
 * assert.equal(
 *   contentDisposition('é"\r\n%.txt'),
 *   `attachment; filename="_____.txt"; filename*=UTF-8''%C3%A9%22%0D%0A%25.txt`,
 * );
 * ```
 */
export function contentDisposition(filename: string): string {
  // A lone surrogate (possible only in metadata written by hand) would make
  // encodeURIComponent throw.
  const name = filename.toWellFormed();
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Headers on every response of the service: a cache of arbitrary user files
 * must never be rendered or run by a browser, whatever type a file claims
 * (`nosniff`: no type guessing; the CSP sandboxes anything that is opened
 * anyway, with no scripts, no loads, no same-origin access).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SECURITY_HEADERS } from "./mime.ts";
 * assert.equal(SECURITY_HEADERS["x-content-type-options"], "nosniff");
 * ```
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
};
