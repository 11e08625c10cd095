/**
 * The content type of a file from its name's extension (a small table of
 * the types data files have): what the cache service serves a file as, and
 * what a mirror stores with an object (as `aws s3 sync` does), so a browser
 * or a static website shows it for what it is.
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
  // Scientific and geographic data: as `aws s3 sync` types them (Python's
  // mimetypes: .nc, .h5), else their IANA-registered types.
  nc: "application/x-netcdf",
  h5: "application/x-hdf5",
  hdf5: "application/x-hdf5",
  geojson: "application/geo+json",
  arrow: "application/vnd.apache.arrow.file",
  gpkg: "application/geopackage+sqlite3",
  sqlite: "application/vnd.sqlite3",
  // What a static website is made of: browsers refuse a module script, a
  // WebAssembly module streamed in, or (in standards mode) a stylesheet
  // served as application/octet-stream; `aws s3 sync` sets these.
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  cjs: "text/javascript; charset=utf-8",
  map: "application/json",
  wasm: "application/wasm",
  webmanifest: "application/manifest+json",
  ico: "image/vnd.microsoft.icon",
  avif: "image/avif",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  mp4: "video/mp4",
  webm: "video/webm",
};

/**
 * The content type for a filename's extension (`application/octet-stream`
 * when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentTypeFor } from "./content_type.ts";
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
 * Whether the content type `type` is a web page's (`text/html`,
 * `application/xhtml+xml`, with any parameters): what a captive portal or a
 * proxy labels its own page with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWebPageType } from "./content_type.ts";
 * assert(isWebPageType("text/html; charset=utf-8") && isWebPageType(" application/xhtml+xml"));
 * assert(!isWebPageType("application/xml") && !isWebPageType(null));
 * ```
 */
export function isWebPageType(type: string | null): boolean {
  return type !== null && /^\s*(?:text\/html|application\/xhtml\+xml)\b/i.test(type);
}
