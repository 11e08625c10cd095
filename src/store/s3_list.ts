/**
 * ListObjectsV2 on the lean request path (`s3_fetch.ts`): one signed `fetch`
 * per page of 1000 keys and a small scanner for the response, instead of the
 * AWS SDK, which spent 0.3–0.7 s and most of a mirror's memory per 10,000
 * keys in its middleware and generic XML parser.
 *
 * Pages are fetched one at a time as the consumer asks for them, so memory
 * holds one page. Keys are requested with `encoding-type=url` (control
 * characters cannot travel in XML 1.0) and decoded: XML entities first, then
 * the URL encoding, only when the server says it applied it.
 *
 * @module
 */
import { StoreError } from "../errors.ts";
import { normalizeEtag } from "../hash.ts";
import { decodeXmlEntities } from "../xml_entities.ts";
import { deadline } from "../deadline.ts";
import { retry } from "./retry.ts";
import type { S3Fetch } from "./s3_fetch.ts";
import { decodeListKey } from "./s3_request.ts";
import { compareUtf8, utf8OrUndefined } from "../utf8.ts";
import { concatBytes } from "../bytes.ts";

/** One object of a listing page: the full key inside the bucket, decoded. */
export interface S3ListedObject {
  /** Full key (store prefix included), with entities and URL encoding undone. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** ETag without quotes. */
  etag: string;
  /** Last modification time. */
  lastModified: Date;
}

/** One parsed ListObjectsV2 response. */
export interface S3ListPage {
  /** The objects of the page, in the server's (key) order. */
  objects: S3ListedObject[];
  /** True when more keys follow. */
  truncated: boolean;
  /** Token for the next page, when the server gave one. */
  nextToken: string | undefined;
  /**
   * The answer is a ListObjects v1 document (it has a `<Marker>`): the
   * server ignored `list-type=2` and pages by `marker`, not `start-after`.
   */
  v1?: boolean;
  /**
   * A key of the page, said to be URL-encoded (`EncodingType` url), that no
   * URL encoding leaves as it is (a space, a control character, anything
   * not ASCII): the server did not encode, and the page's keys were read as
   * they stand.
   */
  notEncoded?: string;
  /** Some key of the page was changed by undoing its URL encoding. */
  decoded?: boolean;
}

/** Options of {@linkcode parseListObjectsV2}. */
export interface ParseListOptions {
  /** `false`: keys are read as they stand, whatever `EncodingType` says. */
  urlDecode?: boolean;
}

// What URL encoding never leaves as it is: a space (written `+` or `%20`),
// control characters, and anything not ASCII (written as its UTF-8 bytes).
// deno-lint-ignore no-control-regex
const NEVER_URL_ENCODED = /[\u0000-\u0020\u007f-\uffff]/;

/**
 * Parses a ListObjectsV2 (or v1) response body. The documents are flat and
 * machine-written, so scanning for the few elements needed beats a general
 * XML parser by an order of magnitude. Throws `StoreError` for a body that is
 * not a listing (a proxy's HTML page, a truncated document), so a broken
 * answer is never taken for a short listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListObjectsV2 } from "./s3_list.ts";
 * const page = parseListObjectsV2(
 *   "<ListBucketResult><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>" +
 *     "<Contents><Key>a%26b+c</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>" +
 *     "<ETag>&quot;abc&quot;</ETag><Size>3</Size></Contents></ListBucketResult>",
 * );
 * assert.equal(page.objects[0]!.key, "a&b c");
 * assert.equal(page.objects[0]!.etag, "abc");
 * assert.equal(page.objects[0]!.size, 3);
 * assert.equal(page.truncated, false);
 * ```
 */
export function parseListObjectsV2(xml: string, options: ParseListOptions = {}): S3ListPage {
  const document = listingDocument(xml, "ListBucketResult");
  const { root, end } = document;
  const encoded = document.encoded && options.urlDecode !== false;
  let decoded = false;
  const objects: S3ListedObject[] = [];
  // Objects uploaded together share their LastModified text; parse it once.
  let lastModifiedText = "";
  let lastModifiedMs = 0;
  let at = root;
  for (;;) {
    const open = xml.indexOf("<Contents", at);
    if (open === -1 || open > end) break;
    // `<Contents >` or `<Contents attr="…">` is well-formed XML the scanner
    // would skip: its objects would vanish and the listing pass for short
    // (a mirror's --delete removing what it never saw). S3 writes neither.
    if (xml[open + 9] !== ">") {
      throw new StoreError(
        `the listing response has a <Contents> element written as S3 never writes it: ${
          JSON.stringify(xml.slice(open, open + 60))
        }`,
      );
    }
    const close = xml.indexOf("</Contents>", open);
    if (close === -1) throw new StoreError("the listing response has an unterminated <Contents>");
    const rawKey = elementText(xml, "Key", open, close);
    if (rawKey === undefined) {
      throw new StoreError("the listing response has a <Contents> without <Key>");
    }
    let key: string;
    if (encoded) {
      // Said to be URL-encoded, yet written as no encoding leaves a key (a
      // server echoing EncodingType without encoding): the page is read as
      // it stands, not decoded into keys that do not exist (`a+b` as `a b`).
      const xmlKey = rawKey.includes("&") ? decodeXmlEntities(rawKey, unknownEntity) : rawKey;
      if (NEVER_URL_ENCODED.test(xmlKey)) {
        return { ...parseListObjectsV2(xml, { urlDecode: false }), notEncoded: xmlKey };
      }
      key = listedKey(rawKey, true);
      if (key !== xmlKey) decoded = true;
    } else {
      key = listedKey(rawKey, false);
    }
    const size = listedSize(elementText(xml, "Size", open, close), key);
    const modified = elementText(xml, "LastModified", open, close);
    if (modified !== undefined && modified !== lastModifiedText) {
      lastModifiedMs = Date.parse(modified);
      // An Invalid Date handed on breaks every reader of it (`toISOString`
      // throws a RangeError far from here).
      if (Number.isNaN(lastModifiedMs)) {
        throw new StoreError(
          `the listing response gives ${JSON.stringify(key)} a LastModified that is no date: ${
            JSON.stringify(modified.slice(0, 60))
          }`,
        );
      }
      lastModifiedText = modified;
    }
    objects.push({
      key,
      size,
      etag: listEtag(elementText(xml, "ETag", open, close) ?? ""),
      lastModified: new Date(modified === undefined ? 0 : lastModifiedMs),
    });
    at = close + 11;
  }
  const truncated = listTruncated(headerText(xml, "IsTruncated", root, end));
  const token = headerText(xml, "NextContinuationToken", root, end);
  const page: S3ListPage = {
    objects,
    truncated,
    nextToken: token === undefined || token === ""
      ? undefined
      : decodeXmlEntities(token, unknownEntity),
  };
  if (headerText(xml, "Marker", root, end) !== undefined) page.v1 = true;
  if (decoded) page.decoded = true;
  return page;
}

/**
 * Where the `element` document (`ListBucketResult`, `ListMultipartUploadsResult`)
 * of a listing response starts and ends, and whether its keys are
 * URL-encoded. Throws `StoreError` for a body that is not one (a proxy's
 * page, a document cut short) or that carries a DOCTYPE.
 */
export function listingDocument(
  xml: string,
  element: string,
): { root: number; end: number; encoded: boolean } {
  const root = xml.indexOf(`<${element}`);
  const end = xml.lastIndexOf(`</${element}>`);
  if (root === -1 || end === -1 || end < root) {
    throw new StoreError(
      `the listing response is not a ${element} document: ${JSON.stringify(xml.slice(0, 200))}`,
    );
  }
  // S3 never sends a DTD. Its entities are never expanded (no general XML
  // parser here), and a reference to one must not pass for a key's text.
  if (/<!DOCTYPE/i.test(xml.slice(0, root))) {
    throw new StoreError(
      "the listing response has a DOCTYPE, which S3 never sends (its entities are not expanded)",
    );
  }
  // Header elements (IsTruncated, EncodingType, the markers) may come
  // before or after the entries; they are looked up outside them.
  const encoded = headerText(xml, "EncodingType", root, end)?.toLowerCase() === "url";
  // vc asks for no delimiter: every key comes as an entry. Keys grouped
  // under a common prefix (a server or proxy grouping by `/` unasked) are
  // keys missing from the listing, which would pass for a short one (a
  // mirror's --delete removing every file below a "folder"). `<` in a key
  // is always escaped, so no key hides this element.
  const grouped = xml.indexOf("<CommonPrefixes", root);
  if (grouped !== -1 && grouped < end) {
    const close = xml.indexOf("</CommonPrefixes>", grouped);
    const raw = elementText(xml, "Prefix", grouped, close === -1 ? end : close) ?? "";
    // (An empty `<CommonPrefixes/>` groups no key: passed over.)
    if (raw !== "") throw groupedUnasked(raw, encoded);
  }
  return { root, end, encoded };
}

/** The refusal of a page grouping keys under `raw`, a common prefix vc did not ask for. */
function groupedUnasked(raw: string, encoded: boolean): StoreError {
  let prefix = raw;
  try {
    prefix = listedKey(raw, encoded);
  } catch {
    // Named as written.
  }
  return refused(
    `the listing response groups keys under CommonPrefixes (${
      JSON.stringify(prefix.slice(0, 100))
    }), though vc asked for no delimiter: the keys below it are not listed, and the ` +
      "listing would pass for a short one: the endpoint is not answering as S3 does",
  );
}

/**
 * A listed key (or marker) as written in the document: XML entities undone,
 * then the URL encoding when the server says it applied it (`encoded`).
 */
export function listedKey(raw: string, encoded: boolean): string {
  const xmlKey = raw.includes("&") ? decodeXmlEntities(raw, unknownEntity) : raw;
  if (!encoded || !(xmlKey.includes("%") || xmlKey.includes("+"))) return xmlKey;
  try {
    return decodeListKey(xmlKey);
  } catch (cause) {
    throw new StoreError(`the listing response has a key that is not URL-encoded UTF-8: ${raw}`, {
      cause,
    });
  }
}

/**
 * `IsTruncated` as an XML Schema boolean (`true`/`1`, `false`/`0`; absent is
 * false). Anything else is refused: read as false, it would end the listing
 * after one page and pass for a short one.
 */
export function listTruncated(text: string | undefined): boolean {
  if (text === undefined || text === "false" || text === "0") return false;
  if (text === "true" || text === "1") return true;
  throw new StoreError(
    `the listing response has an IsTruncated that is neither true nor false: ${
      JSON.stringify(text.slice(0, 60))
    }`,
  );
}

/**
 * A listed `Size`: a whole number of bytes up to 2^53 (absent is 0). A
 * negative, fractional, non-numeric or impossibly large size is no object's
 * and is refused, naming the key, rather than handed on (it was passed
 * through, or turned into 0).
 */
function listedSize(text: string | undefined, key: string): number {
  if (text === undefined) return 0;
  const trimmed = text.trim();
  const size = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(size)) {
    throw new StoreError(
      `the listing response gives ${JSON.stringify(key)} a Size no object has: ${
        JSON.stringify(text.slice(0, 60))
      }`,
    );
  }
  return size;
}

/** An entity reference XML does not predefine: S3 never writes one. */
export function unknownEntity(entity: string): never {
  throw new StoreError(
    `the listing response has an entity reference S3 never sends (${entity.slice(0, 40)})`,
  );
}

/** An ETag as listed (`&quot;abc&quot;`, or with literal quotes) without quotes. */
function listEtag(raw: string): string {
  if (raw.startsWith("&quot;") && raw.endsWith("&quot;") && raw.length >= 12) {
    const inner = raw.slice(6, -6);
    if (!inner.includes("&")) return inner;
  }
  return normalizeEtag(decodeXmlEntities(raw));
}

/** Text of `<tag>...</tag>` between `from` and `to`, undecoded; `<tag/>` is "". */
export function elementText(
  xml: string,
  tag: string,
  from: number,
  to: number,
): string | undefined {
  // Searched within the element only: an entry without the tag had each
  // search run through the rest of the page (quadratic in a page's size: a
  // 2 MB page of entries without `<ETag>` took minutes to read).
  const part = xml.slice(from, to + tag.length + 3);
  const open = part.indexOf(`<${tag}>`);
  if (open === -1 || open >= to - from) {
    const empty = part.indexOf(`<${tag}/>`);
    return empty === -1 || empty >= to - from ? undefined : "";
  }
  const start = open + tag.length + 2;
  const close = part.indexOf(`</${tag}>`, start);
  if (close === -1 || close > to - from) return undefined;
  return part.slice(start, close);
}

/**
 * Text of a top-level element of the result. Searching the whole document is
 * safe: no element inside `<Contents>` has these names, and keys cannot hide
 * one because `<` in a key is always escaped.
 */
export function headerText(
  xml: string,
  tag: string,
  from: number,
  to: number,
): string | undefined {
  return elementText(xml, tag, from, to)?.trim();
}

/**
 * A listing as its errors name it: `LIST s3://bucket/prefix at ENDPOINT`, so
 * an error about a server's answer says which server gave it (a profile's
 * `endpoint_url`, a proxy, a second S3-compatible store).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { S3Fetch } from "./s3_fetch.ts";
 * import { listing } from "./s3_list.ts";
 * const lean = new S3Fetch({
 *   bucket: "b", baseUrl: "http://127.0.0.1:9000/b", endpoint: "http://127.0.0.1:9000",
 *   region: "us-east-1", credentialSource: "example",
 *   credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
 * });
 * try {
 *   assert.equal(listing(lean, "p/"), "LIST s3://b/p/ at http://127.0.0.1:9000");
 * } finally {
 *   lean.close();
 * }
 * ```
 */
export function listing(lean: S3Fetch, prefix: string, operation = "LIST"): string {
  return `${operation} ${lean.uri(prefix)} at ${lean.context(operation, prefix).endpoint}`;
}

// A page of 1000 keys of 1024 bytes, each URL-encoded (3 bytes a byte) with
// its other elements, is under 4 MiB; a body past this is no listing, and
// reading it whole would take all memory (a server sending without end).
const MAX_LIST_PAGE_BYTES = 32 * 1024 * 1024;

/**
 * Truncated pages without keys in a row before a listing is given up: S3
 * pages hold keys (no delimiter is asked for), so a long run of empty pages
 * with fresh tokens is a server paging nothing forever.
 */
export const MAX_EMPTY_PAGES_IN_A_ROW = 1000;
// A page body arriving slower than this on average, past the request
// timeout, is a stalled server dripping bytes (the idle-read timeout never
// fires); the rate uploads are held to as well.
const MIN_LIST_BYTES_PER_S = 64 * 1024;

// Page bodies refused by readListBody or listingText: the server misbehaves, not worth asking again.
const refusedBodies = new WeakSet<object>();

function refused(message: string): StoreError {
  const error = new StoreError(message);
  refusedBodies.add(error);
  return error;
}

/**
 * A listing page's bytes, refusing a body over {@linkcode MAX_LIST_PAGE_BYTES}
 * or one that takes longer than the request timeout plus its size at
 * {@linkcode MIN_LIST_BYTES_PER_S}: a `StoreError` (not retried: the server
 * misbehaves) naming the listing.
 */
async function readListBody(
  res: Response,
  lean: S3Fetch,
  prefix: string,
  operation: string,
): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array();
  const timeoutMs = lean.timeoutMs;
  const started = Date.now();
  const chunks: Uint8Array[] = [];
  let received = 0;
  let failure: StoreError | undefined;
  const reader = res.body.getReader();
  const fail = (error: StoreError) => {
    failure ??= error;
    reader.cancel(error).catch(() => {});
  };
  // A watchdog, not a check per chunk: a dripping body may hand out no chunk
  // at all (the guarded body gathers 64 KiB blocks).
  const budgetMs = () => timeoutMs + (received / MIN_LIST_BYTES_PER_S) * 1000;
  let cancelWatch: (() => void) | undefined;
  const watch = (ms: number) => {
    cancelWatch = deadline(ms, () => {
      const left = budgetMs() - (Date.now() - started);
      if (left > 0) return watch(left);
      fail(refused(
        `${listing(lean, prefix, operation)}: the listing page took over ${
          Math.round(budgetMs() / 1000)
        } s to arrive: the endpoint is stalled or dripping bytes`,
      ));
    });
  };
  if (timeoutMs > 0) watch(timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (failure !== undefined) throw failure;
      if (done) break;
      received += value.length;
      if (received > MAX_LIST_PAGE_BYTES) {
        fail(refused(
          `${listing(lean, prefix, operation)}: the listing page is larger than ${
            MAX_LIST_PAGE_BYTES / 1024 / 1024
          } MiB; no page of 1000 keys is: the endpoint is not answering as S3 does`,
        ));
        throw failure;
      }
      chunks.push(value);
    }
  } catch (error) {
    if (failure !== undefined) throw failure;
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    cancelWatch?.();
  }
  return concatBytes(chunks, received);
}

/**
 * A listing page's bytes as text. S3 writes UTF-8: a lenient decoder turned
 * other bytes into U+FFFD, keys that do not exist, listed as if they did.
 * Throws a refused `StoreError`, naming the encoding the page declares.
 */
function listingText(bytes: Uint8Array): string {
  const text = utf8OrUndefined(bytes);
  if (text !== undefined) return text;
  const declared = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(
    new TextDecoder().decode(bytes.subarray(0, 200)),
  )?.[1];
  throw refused(
    `the listing page is not UTF-8${
      declared === undefined ? "" : ` (it says it is ${JSON.stringify(declared.slice(0, 40))})`
    }; S3 writes UTF-8 only: the endpoint is not answering as S3 does`,
  );
}

/**
 * One listing document (a page of ListObjectsV2, ListMultipartUploads, or a
 * key's ListParts) over `lean`: requested, read within {@linkcode readListBody}'s bounds and
 * parsed by `parse`. Requests are retried inside `lean`; a body that broke
 * off mid-read or does not parse (often a document cut short by a proxy) is
 * asked for again, up to `maxAttempts` (default 5). Errors name the listing.
 */
export async function fetchListDocument<T>(
  lean: S3Fetch,
  request: {
    /** Query of the bucket-level GET. */
    query: Record<string, string>;
    /** Full key prefix listed, to name the listing in errors. */
    prefix: string;
    /** A listing of one key's (ListParts): its full key, also `prefix`. Default: the bucket's. */
    key?: string | undefined;
    /** The operation, as errors name it (default `LIST`). */
    operation?: string | undefined;
    signal?: AbortSignal | undefined;
    maxAttempts?: number | undefined;
  },
  parse: (text: string) => T,
): Promise<T> {
  const operation = request.operation ?? "LIST";
  const name = () => listing(lean, request.prefix, operation);
  return await retry(async () => {
    const res = await lean.request({
      method: "GET",
      key: request.key ?? "",
      subject: request.prefix,
      query: request.query,
      operation,
      signal: request.signal,
    });
    let bytes: Uint8Array;
    try {
      bytes = await readListBody(res, lean, request.prefix, operation);
    } catch (cause) {
      if (refusedBodies.has(cause as object)) throw cause;
      if (request.signal?.aborted) throw request.signal.reason;
      const error = new StoreError(
        `${name()}: reading the listing failed: ${(cause as Error).message}`,
        { cause },
      );
      brokenBodies.add(error);
      throw error;
    }
    try {
      return parse(listingText(bytes));
    } catch (cause) {
      // vc asks for identity: a coded body is something between (a proxy
      // compressing answers) coding on purpose, so every attempt would
      // fail the same; said so instead of quoting its compressed bytes.
      const coding = res.headers.get("content-encoding")?.trim();
      if (coding && coding.toLowerCase() !== "identity") {
        throw refused(
          `${name()}: the listing came with Content-Encoding: ${
            JSON.stringify(coding.slice(0, 40)).slice(1, -1)
          }, though vc asked for none, and is not a listing as it stands: something between ` +
            `vc and ${
              lean.context(operation, "").endpoint
            } (a proxy) may have coded it; let it pass answers unchanged`,
        );
      }
      const message = `${name()}: ${(cause as Error).message}`;
      if (refusedBodies.has(cause as object)) throw refused(message);
      const error = new StoreError(message, { cause });
      brokenBodies.add(error);
      throw error;
    }
  }, {
    maxAttempts: request.maxAttempts ?? 5,
    signal: request.signal,
    // Requests were already retried inside `lean`; only a body that broke
    // off mid-read or does not parse is worth asking for again here.
    shouldRetry: (error) => brokenBodies.has(error as object),
  });
}

/** What to list. */
export interface S3ListRequest {
  /** Full key prefix inside the bucket ("" for all). */
  prefix: string;
  /** Only keys strictly after this full key. */
  startAfter?: string | undefined;
  /** Keys per request (S3's maximum and default: 1000). */
  pageSize?: number;
  /** Aborts the listing, between or during requests. */
  signal?: AbortSignal | undefined;
  /** Attempts at a page whose body broke off mid-read or did not parse (default 5). */
  maxAttempts?: number;
  /** See `ListOptions.onStartAfterIgnored`. */
  onStartAfterIgnored?: (() => void) | undefined;
}

/**
 * Per store connection: whether its server was found to list keys as they
 * stand though it says they are URL-encoded (the key that showed it), and
 * whether keys it listed were changed by URL-decoding them.
 */
const encodingSeen = new WeakMap<S3Fetch, { notEncoded?: string; decoded?: boolean }>();

// Body read failures of a listing page, retried by re-requesting the page.
const brokenBodies = new WeakSet<object>();

/**
 * Lists the bucket page by page with ListObjectsV2 over `lean`, yielding each
 * page's objects as it arrives (the next page is requested only when the
 * consumer asks for more). Requests are retried and their errors mapped like
 * every lean request (`NotFoundError` naming a missing bucket,
 * `AccessDeniedError`, `OfflineError`, ...); a page that cannot be read or
 * parsed fails the listing, so a caller never mistakes it for a short one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFakeS3 } from "../testing/mod.ts";
 * import { S3Fetch } from "./s3_fetch.ts";
 * import { listPages } from "./s3_list.ts";
 * await using fake = await startFakeS3();
 * await fake.createBucket("b");
 * await fake.putObject("b", "x/a&b", "1");
 * const lean = new S3Fetch({
 *   bucket: "b", baseUrl: `${fake.url}/b`, region: "us-east-1",
 *   credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
 *   credentialSource: "example",
 * });
 * try {
 *   const keys: string[] = [];
 *   for await (const page of listPages(lean, { prefix: "x/" })) keys.push(...page.map((o) => o.key));
 *   assert.deepEqual(keys, ["x/a&b"]);
 * } finally {
 *   lean.close();
 * }
 * ```
 */
export async function* listPages(
  lean: S3Fetch,
  request: S3ListRequest,
): AsyncGenerator<S3ListedObject[]> {
  const pageSize = String(request.pageSize ?? 1000);
  let encoding = encodingSeen.get(lean);
  if (encoding === undefined) encodingSeen.set(lean, encoding = {});
  const seen = encoding;
  const parse = (text: string) =>
    parseListObjectsV2(text, seen.notEncoded === undefined ? {} : { urlDecode: false });
  let token: string | undefined;
  let after = request.startAfter === "" ? undefined : request.startAfter;
  // A server answering ListObjects v1 pages by `marker` (and may refuse
  // `start-after`, as S3 does on a v1 listing): the next page is asked so.
  let afterParam: "start-after" | "marker" = "start-after";
  // Every token this listing was given (one per page: small).
  const seenTokens = new Set<string>();
  // The first key of every page (one per page): a key is listed once, so a
  // page starting with one seen before means the server started over.
  const seenFirstKeys = new Set<string>();
  let emptyInARow = 0;
  // Set while a server that ignored start-after lists keys up to it.
  let skipThrough: string | undefined;
  // The last key handed on (or the one to list after): every key must come
  // after it, as S3 lists, once each and in UTF-8 byte order.
  let previous = after;
  for (;;) {
    const query: Record<string, string> = {
      "list-type": "2",
      "max-keys": pageSize,
      "encoding-type": "url",
      prefix: request.prefix,
    };
    if (token !== undefined) query["continuation-token"] = token;
    else if (after !== undefined) query[afterParam] = after;
    const page = await fetchListDocument(lean, {
      query,
      prefix: request.prefix,
      signal: request.signal,
      maxAttempts: request.maxAttempts,
    }, parse);
    request.signal?.throwIfAborted();
    if (page.notEncoded !== undefined && seen.notEncoded === undefined) {
      // Keys this store listed before were URL-decoded, and any changed by
      // that (`a+b` read as `a b`) is a key that does not exist, already
      // handed on: the listing fails rather than go on as if it were right.
      if (seen.decoded === true) {
        throw new StoreError(
          `${listing(lean, request.prefix)}: the server says its keys are URL-encoded ` +
            `(EncodingType url) but lists ${
              JSON.stringify(page.notEncoded.slice(0, 100))
            } as no encoding leaves it, so keys it listed before may have been misread ` +
            "(`a+b` as `a b`): the endpoint is not answering as S3 does",
        );
      }
      seen.notEncoded = page.notEncoded;
    }
    if (page.decoded === true) seen.decoded = true;
    // Callers make keys relative by cutting the prefix off: a key outside it
    // (a broken or hostile endpoint) would become some other key.
    if (request.prefix !== "") {
      const stray = page.objects.find((o) => !o.key.startsWith(request.prefix));
      if (stray !== undefined) {
        throw new StoreError(
          `${listing(lean, request.prefix)}: the server listed ${
            JSON.stringify(stray.key.slice(0, 200))
          }, outside the prefix ${
            JSON.stringify(request.prefix)
          } asked for: the endpoint is not answering as S3 does`,
        );
      }
    }
    // S3 lists only keys after start-after: keys up to it on the page are
    // never handed on (a consumer would act on keys it already had: a
    // mirror fetching them again, a listing with duplicates), and a page
    // with none after it is refused (asked again, the same page forever).
    const askedAfter = token === undefined ? after : undefined;
    const firstKey = page.objects[0]?.key;
    if (
      page.v1 === true && afterParam === "start-after" && askedAfter !== undefined &&
      firstKey !== undefined && compareUtf8(firstKey, askedAfter) <= 0
    ) {
      // A ListObjects v1 answer that ignored start-after: asked again with marker.
      afterParam = "marker";
      continue;
    }
    if (
      askedAfter !== undefined && firstKey !== undefined && compareUtf8(firstKey, askedAfter) <= 0
    ) {
      // A ListObjectsV2 server that ignores start-after (versitygw, moto and
      // s3mock did) but pages by continuation token: its listing from the
      // first key is read, and the keys up to start-after dropped as they
      // come (a mirror lists in ranges from its second run on, each with
      // start-after, and failed on every run but the first). So is the key
      // itself from a server taking marker or start-after as inclusive
      // (s3rver, versitygw before 2023: the same key on two pages). Without
      // a token, a page with nothing after that key would be asked for
      // again after the same key (this same page, without end): refused.
      const lastKey = page.objects.at(-1)!.key;
      if (
        page.truncated && page.nextToken === undefined && compareUtf8(lastKey, askedAfter) <= 0
      ) {
        throw new StoreError(
          `${listing(lean, request.prefix)}: the server ignored ${afterParam} (its page listed ${
            JSON.stringify(firstKey.slice(0, 100))
          } and nothing after ${
            JSON.stringify(askedAfter.slice(0, 100))
          }) and gave no continuation token: the listing would never end`,
        );
      }
      skipThrough = askedAfter;
      // From before it: ignored, not taken as inclusive.
      if (compareUtf8(firstKey, askedAfter) < 0) request.onStartAfterIgnored?.();
    }
    // Keys the server listed before start-after, which it ignored: not handed on.
    let objects = page.objects;
    if (skipThrough !== undefined) {
      const through = skipThrough;
      const cut = objects.findIndex((o) => compareUtf8(o.key, through) > 0);
      objects = cut === -1 ? [] : objects.slice(cut);
      if (cut !== -1) skipThrough = undefined;
    }
    const first = page.objects[0];
    if (first !== undefined) {
      if (page.truncated && page.nextToken !== undefined && seenFirstKeys.has(first.key)) {
        // Fresh tokens that the server does not honour: page one forever.
        throw new StoreError(
          `${listing(lean, request.prefix)}: the server started over (a page began again at ${
            JSON.stringify(first.key.slice(0, 100))
          }; it ignores its continuation tokens): the listing would never end`,
        );
      }
      seenFirstKeys.add(first.key);
      // Callers rely on one entry per key, in key order: a mirror merges the
      // listing with a sorted walk, a gc or a prefill acts on each key.
      for (const { key } of objects) {
        if (previous !== undefined && compareUtf8(previous, key) >= 0) {
          throw new StoreError(
            `${listing(lean, request.prefix)}: the server listed ${
              JSON.stringify(key.slice(0, 100))
            } ${
              key === previous ? "twice" : `after ${JSON.stringify(previous.slice(0, 100))}`
            }; S3 lists each key once, in key order: the endpoint is not answering as S3 does`,
          );
        }
        previous = key;
      }
      emptyInARow = 0;
      if (objects.length > 0) yield objects;
    } else if (++emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW && page.truncated) {
      throw new StoreError(
        `${listing(lean, request.prefix)}: the server gave ${MAX_EMPTY_PAGES_IN_A_ROW} ` +
          `empty pages in a row, each saying more follow: the listing would never end`,
      );
    }
    if (!page.truncated) return;
    if (page.nextToken !== undefined) {
      // A server handing out a token it gave before would be listed again
      // and again without end (a broken or hostile endpoint answered one
      // page forever, thousands of requests a second).
      if (seenTokens.has(page.nextToken)) {
        throw new StoreError(
          `${listing(lean, request.prefix)}: the server gave a continuation token it gave before (${
            JSON.stringify(page.nextToken.slice(0, 100))
          }): the listing would never end`,
        );
      }
      seenTokens.add(page.nextToken);
      token = page.nextToken;
    } else {
      // A server that ignores list-type=2 (a ListObjects v1 answer) gives no
      // token; continuing after the last key is equivalent, asked as that
      // server takes it: `marker` for a v1 document (it ignores start-after,
      // and would answer its first page again), else `start-after`.
      const last = page.objects.at(-1);
      if (last === undefined) {
        throw new StoreError(
          `${
            listing(lean, request.prefix)
          }: the server says the listing is truncated but gave neither keys nor a continuation token`,
        );
      }
      // (A page ending where the last one did, a server ignoring
      // start-after, was refused above, before it was handed on.)
      token = undefined;
      after = last.key;
      if (page.v1 === true) afterParam = "marker";
    }
  }
}
