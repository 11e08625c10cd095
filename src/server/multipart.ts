/**
 * A streaming `multipart/form-data` reader for uploads: it finds the `file`
 * field and hands its content on as a stream, holding at most one network
 * chunk plus a delimiter's length in memory (`Request.formData()` would
 * buffer the whole body). The content stream ends only after the delimiter
 * that closes the part has been seen, so a body cut off mid-file makes the
 * stream fail instead of ending as if complete.
 *
 * Lines end with CRLF as RFC 2046 asks (browsers, curl `-F`, Python's
 * `requests`/urllib3 send that), or, for a body whose first delimiter line
 * ends with a bare LF (hand-written clients), with LF throughout: the file
 * then ends at `LF--boundary`. A CRLF body ends its file only at
 * `CRLF--boundary`, so file bytes holding `LF--boundary` stay the file's.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { Md5 } from "../hash.ts";
import { withinIdle } from "./body_idle.ts";
import { TinyReadsGuard } from "./tiny_reads.ts";
import { bodyReadFailed, HttpError } from "./http_error.ts";
import { inertJson, shortened } from "../printable.ts";
import { DAMAGED_ON_THE_WAY, quoted, storedContentType, storedFilename } from "./upload_fields.ts";

/** The `file` field of an upload. */
export interface FilePart {
  /** The filename the client sent, as its base name (see `storedFilename`). */
  filename: string;
  /** The part's content type, when sent (a valid media type). */
  contentType?: string;
  /** The file's bytes; errors with an `HttpError` (400 cut off, 413 too large). */
  body: ReadableStream<Uint8Array>;
  /** Bytes of the file `body` has handed out so far (its size once it ended). */
  bytes(): number;
  /**
   * Hex MD5 of the bytes `body` handed out, once it ended (hashed as they
   * pass, in the buffers they are read into: no copy, no second pass).
   */
  md5(): string;
  /**
   * Once `body` ended: whether the request body was read to its end (what
   * follows the closing delimiter is read on for at most
   * {@linkcode EPILOGUE_WAIT_MS} and {@linkcode EPILOGUE_READS} reads, the
   * rest left unread: its connection is then for its answer to close).
   */
  ended(): Promise<boolean>;
}

/** Options for {@linkcode readFilePart}. */
export interface MultipartOptions {
  /** Name of the field holding the file (default `"file"`). */
  field?: string;
  /** Largest file accepted; past it the body stream errors with `HttpError` 413. */
  maxFileBytes?: number;
  /** Largest size of the other fields and headers together (default 1 MiB). */
  maxOverheadBytes?: number;
  /** Called with the size of each chunk read from the body (for byte counts). */
  onRead?: (bytes: number) => void;
  /**
   * Read a byte stream into buffers of our own (default true). Pass false
   * for a chunked request body (no Content-Length): Deno's in-place reads
   * of one cost more the more of it has arrived (a 100 MiB chunked upload
   * took 6.7 s of CPU against 0.1 s with the default reader).
   */
  inPlace?: boolean;
  /**
   * Longest wait for a read of the body to bring anything (default: none);
   * past it the body fails with `HttpError` 408 and its reader is cancelled.
   */
  idleTimeoutMs?: number;
  /**
   * The slowest a body may arrive on average, in bytes per second (default:
   * none; needs `idleTimeoutMs`): once the time spent waiting for its reads
   * passes `idleTimeoutMs` plus its bytes so far at this rate, the body
   * fails with `HttpError` 408 (as Apache's `mod_reqtimeout` `MinRate`).
   */
  minRate?: number;
  /**
   * Refuse with `HttpError` 400 a body that comes in tiny reads (default
   * false; see tiny_reads.ts): each costs Deno.serve's event loop a read.
   */
  refuseTinyReads?: boolean;
  /**
   * Called once the file and the rest of the form have arrived, before the
   * file's stream ends (what waits on the store from then on is the store's).
   */
  onFileEnd?: () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Lines of framing (part headers) are decoded strictly: a filename sent in
// another charset (Latin-1 bytes from curl on a Latin-1 system) was stored
// with U+FFFD in place of its letters, so distinct names became one.
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const CRLF = encoder.encode("\r\n");
const LF = encoder.encode("\n");
/** Bytes gathered before passing file content on. */
const BLOCK = 256 * 1024;
/** Room for one read when no more is wanted (a byte stream fills what it has). */
const MIN_READ = 64 * 1024;
/**
 * Largest read into a reader's own buffer: a read costs Deno.serve more
 * with the size of the buffer it is given than with the bytes it brings.
 */
const MAX_READ = 256 * 1024;
/**
 * Least a body must bring per idle timeout spent waiting for it: a client
 * trickling its upload (a byte a second) kept its upload slot, and with as
 * many such clients as slots every other upload waited forever.
 */
export const MIN_BYTES_PER_IDLE = 1024;

/**
 * Longest wait for the end of a body after its closing delimiter (a client
 * sends it with the delimiter: a chunked body's last chunk, the end of its
 * Content-Length); a body not ended by then is left unread.
 */
export const EPILOGUE_WAIT_MS = 1000;

/**
 * Most reads of what follows the closing delimiter before a body is left
 * unread: a client sending an endless epilogue in 1-byte chunks after its
 * file had Deno.serve read it a chunk at a time for as long as it came.
 */
export const EPILOGUE_READS = 64;

/**
 * Reads a multipart body up to the start of the file field and returns it.
 * Throws `HttpError` 400 for a missing boundary, malformed framing, no file
 * field / filename, a filename with no base name or with control characters,
 * or a content type that is not a media type. The body stream errors with
 * `HttpError` 400 when a second file field follows or the body is cut off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFilePart } from "./multipart.ts";
 * const form = new FormData();
 * form.append("file", new Blob(["hello"], { type: "text/plain" }), "a.txt");
 * const req = new Request("http://x/", { method: "POST", body: form });
 * const part = await readFilePart(req.body!, req.headers.get("content-type")!);
 * assert(part.filename === "a.txt" && part.contentType === "text/plain");
 * assert(await new Response(part.body).text() === "hello");
 * ```
 */
export async function readFilePart(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  options: MultipartOptions = {},
): Promise<FilePart> {
  const boundary = boundaryOf(contentType);
  const field = options.field ?? "file";
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  try {
    // A byte stream (Deno.serve's request bodies) fills our blocks in
    // place: one read takes all the data at hand (~200 KiB, where the
    // default reader hands out 64 KiB copies), 2-3x less CPU per GiB.
    reader = options.inPlace === false ? body.getReader() : body.getReader({ mode: "byob" });
  } catch {
    reader = body.getReader();
  }
  const maxOverhead = options.maxOverheadBytes ?? 1 << 20;
  const scanner = new Scanner(
    reader,
    maxOverhead,
    options.onRead ?? (() => {}),
    options.idleTimeoutMs ?? 0,
    options.minRate ?? 0,
    options.refuseTinyReads === true ? new TinyReadsGuard() : undefined,
  );
  try {
    // The virtual CRLF in front lets the first delimiter match like the
    // others; it is looked for after an LF, which both line endings have.
    scanner.unshift(CRLF);
    try {
      await scanner.skipUntil(encoder.encode(`\n--${boundary}`));
    } catch (e) {
      // No body at all (a client that forgot it; an HTTP/1.0 one sending its
      // file until it closes, which HTTP reads as no body) is said so, not
      // as a fault in its multipart encoding.
      if (!(e instanceof HttpError) || e.status !== 400) throw e;
      if (scanner.gotBytes) {
        if (e.rawMessage !== malformed(MISSING_DELIMITER).rawMessage) throw e;
        // Bytes came, never a delimiter line: a body written with another
        // boundary (a Content-Type set by hand) or not multipart at all.
        throw malformed(
          `no ${inertJson(`--${boundary}`)} line in it, the delimiter of the boundary its ` +
            "Content-Type names: the body was written with another boundary than its " +
            "Content-Type (one set by hand?), or is not multipart/form-data",
        );
      }
      throw new HttpError(
        400,
        "the upload has no body: POST the file as multipart/form-data in the field `file` " +
          "(curl -F file=@PATH), with a Content-Length or chunked (an HTTP/1.0 request's body " +
          "without a Content-Length is not read)",
      );
    }
    // The first file sent in another field (`File`, `upload`): most likely
    // the one meant, so the error names that field.
    let misnamed: Misnamed | undefined;
    // The field came as text: refused, once the rest of the body says
    // whether the file came in another field (named, then) or not at all.
    let asText = false;
    // A `<field>_md5` part (CacheClient sends one after the file) is the MD5
    // the client took of what it sent: bytes damaged on the way were stored,
    // and every download then checked out against the MD5 taken here.
    const md5Field = `${field}_md5`;
    let sentMd5: string | undefined;
    for (;;) {
      const headers = await nextPart(scanner);
      if (headers === undefined) {
        throw asText ? cameAsText(field, misnamed) : noFileField(field, misnamed);
      }
      // The line ending is known once the first delimiter line was read (see Scanner.line).
      const delimiter = concatBytes([scanner.eol(), encoder.encode(`--${boundary}`)]);
      const disposition = parseDisposition(headers.get("content-disposition") ?? "");
      if (disposition.name === md5Field) {
        sentMd5 = await readMd5(scanner, delimiter, md5Field, sentMd5);
        continue;
      }
      if (disposition.name !== field) {
        const other = disposition.filename === undefined || disposition.filename === ""
          ? undefined
          : { name: disposition.name, filename: disposition.filename };
        misnamed ??= other;
        if (asText && other !== undefined) throw cameAsText(field, other);
        try {
          await scanner.skipUntil(delimiter);
        } catch (e) {
          // A file of over 1 MiB in another field passes the limit of the
          // other fields: said so bare, that 413 sent its user to raise the
          // upload limit. Still 413: a "file" part may follow.
          if (other !== undefined && e instanceof HttpError && e.status === 413) {
            throw new HttpError(
              413,
              `${partSaid(other.name)} (file ${
                quoted(other.filename)
              }) passes the ${maxOverhead} bytes allowed for fields other than "${field}": send the file in the field "${field}"`,
            );
          }
          throw e;
        }
        continue;
      }
      if (disposition.filename === undefined) {
        // A text field, not a file: `curl -F file=out.tsv` (the `@`
        // forgotten), `requests`' `data={"file": ...}`. "has no filename"
        // sent its user to add a name rather than to send the file. The
        // file may come after it in another field: read on to name it.
        if (asText || misnamed !== undefined) throw cameAsText(field, misnamed);
        asText = true;
        try {
          await scanner.skipUntil(delimiter);
        } catch (e) {
          // Text past the other fields' limit: said as text all the same.
          if (e instanceof HttpError && e.status === 413) throw cameAsText(field, undefined);
          throw e;
        }
        continue;
      }
      // A file after the text one: which would the client mean? As a second
      // field after a file is refused.
      if (asText) throw moreThanOne(field);
      if (disposition.filename === "") {
        throw new HttpError(400, `multipart field "${field}" has no filename`);
      }
      const filename = storedFilename(disposition.filename);
      const contentType = storedContentType(headers.get("content-type"));
      const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
      if (encoding !== undefined && !["7bit", "8bit", "binary"].includes(encoding)) {
        // RFC 7578 4.7: senders do not encode parts; storing base64 text as
        // the file would hand back other bytes than the client meant.
        throw new HttpError(
          400,
          `Content-Transfer-Encoding ${JSON.stringify(encoding)} of the file part is not supported`,
        );
      }
      // The file ends well only once the rest of the body checks out: a
      // second "file" part (which one would the client mean?) or a body cut
      // off after the file fails the upload instead of storing the first.
      const rest = async (): Promise<void> => {
        for (;;) {
          const more = await nextPart(scanner);
          if (more === undefined) break;
          const name = parseDisposition(more.get("content-disposition") ?? "").name;
          if (name === field) throw moreThanOne(field);
          if (name === md5Field) sentMd5 = await readMd5(scanner, delimiter, md5Field, sentMd5);
          else await scanner.skipUntil(delimiter);
        }
        if (sentMd5 !== undefined && sentMd5 !== file.md5()) {
          throw new HttpError(
            400,
            `${DAMAGED_ON_THE_WAY}: the bytes received have MD5 ${file.md5()}, not ${sentMd5} ` +
              `of the file the client sent (field "${md5Field}"); nothing was stored, send it again`,
          );
        }
      };
      const file = scanner.streamUntil(delimiter, options.maxFileBytes ?? Infinity, async () => {
        await rest();
        options.onFileEnd?.();
      });
      return {
        filename,
        ...(contentType === undefined ? {} : { contentType }),
        body: file.body,
        bytes: file.bytes,
        md5: file.md5,
        ended: file.ended,
      };
    }
  } catch (e) {
    await scanner.cancel(e);
    throw e;
  }
}

/**
 * The value of the MD5 field `name` (up to `delimiter`), lowercase; 400
 * when it is no hex MD5, or when one came `before` (which would the client
 * mean? The last one won: a right MD5 after a wrong one stored the file).
 */
async function readMd5(
  scanner: Scanner,
  delimiter: Uint8Array,
  name: string,
  before: string | undefined,
): Promise<string> {
  if (before !== undefined) {
    throw new HttpError(400, `more than one multipart field "${name}"; send one`);
  }
  // An MD5 with room for spaces around it: more is said as this field, not
  // as the 413 of the form's other fields (1 MiB of them, held to read it).
  const sent = decoder.decode(
    await scanner.readUntil(delimiter, MAX_MD5_FIELD, () =>
      new HttpError(
        400,
        `multipart field "${name}" is longer than ${MAX_MD5_FIELD} bytes, not the hex MD5 of ` +
          "the file; nothing was stored",
      )),
  );
  const md5 = sent.trim().toLowerCase();
  if (/^[0-9a-f]{32}$/.test(md5)) return md5;
  throw new HttpError(
    400,
    `multipart field "${name}" is ${quoted(sent)}, not the hex MD5 of the file; nothing was stored`,
  );
}

/** The longest `<field>_md5` value read: 32 hex digits, with room for spaces around them. */
const MAX_MD5_FIELD = 256;

/** The 400 for a body with more than one file field. */
function moreThanOne(field: string): HttpError {
  return new HttpError(
    400,
    `multipart body has more than one "${field}" field; send one file per upload`,
  );
}

/**
 * The 400 for a file field that came as text (a part with no filename),
 * naming the field a file came in instead, if one did.
 */
function cameAsText(
  field: string,
  misnamed: Misnamed | undefined,
): HttpError {
  const fix = misnamed === undefined
    ? `send the file itself (curl -F ${field}=@PATH, requests files={"${field}": f})`
    : `the file ${quoted(misnamed.filename)} came in ${
      partSaid(misnamed.name, "the field")
    }; send it in the field "${field}"`;
  return new HttpError(
    400,
    `multipart field "${field}" came as text, not as a file (its part has no filename): ${fix}`,
  );
}

/** A file that came in another part than the file field's: its field name (none: no `name`), its filename. */
interface Misnamed {
  name: string | undefined;
  filename: string;
}

/**
 * The part of field `name` as a message says it (`multipart field "File"`,
 * or `the field "File"` with `what`), or `a part with no name` for a part
 * whose Content-Disposition has none: not `the field ""`, which no client sent.
 */
function partSaid(name: string | undefined, what = "multipart field"): string {
  return name === undefined ? "a part with no name" : `${what} ${quoted(name)}`;
}

/**
 * The 400 for a body without the file field, naming the field a file came
 * in instead (a client's `files={"File": f}`), if one did.
 */
function noFileField(
  field: string,
  misnamed: Misnamed | undefined,
): HttpError {
  const why = misnamed === undefined
    ? ""
    : `: the file ${quoted(misnamed.filename)} came in ${
      partSaid(misnamed.name, "the field")
    }; send it in the field "${field}"`;
  return new HttpError(400, `multipart body has no "${field}" field${why}`);
}

/**
 * After a delimiter: the next part's headers, or `undefined` at the closing
 * delimiter (`--`). 400 when the body ends instead.
 */
async function nextPart(scanner: Scanner): Promise<Map<string, string> | undefined> {
  const after = await scanner.peek(2);
  if (after === "--") return undefined;
  const rest = await scanner.line(); // the end of the delimiter line (transport padding)
  if (rest === undefined) throw malformed("body ends without the closing delimiter");
  if (rest.trim() !== "") throw malformed("bad delimiter line");
  return await partHeaders(scanner);
}

/**
 * The 400 for a body that ended (as its Content-Length or last chunk said:
 * a connection lost is another error) inside the file part: a hand-made form
 * with no delimiter after its file, told only "cut off", was sent again as
 * it was. `delim` is the file's delimiter (the line break and `--BOUNDARY`).
 */
function fileNotEnded(delim: Uint8Array): HttpError {
  // Its line break shown: a bare LF before `--BOUNDARY` in a CRLF body is no delimiter.
  const said = decoder.decode(delim);
  return new HttpError(
    400,
    `upload was cut off before the end of the file: the body ended with no ${
      JSON.stringify(said)
    } after it (a form ends with ${JSON.stringify(`${said}--`)})`,
  );
}

/** What {@linkcode Scanner} says of a body that ends before a delimiter it looks for. */
const MISSING_DELIMITER = "missing boundary delimiter";

function malformed(what: string): HttpError {
  return new HttpError(400, `malformed multipart body: ${what}`);
}

/** A line of framing as text; 400 naming it (undecodable bytes as U+FFFD) when it is not UTF-8. */
function lineText(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    const shown = JSON.stringify(decoder.decode(bytes).slice(0, 100));
    throw malformed(
      `part header ${shown} is not UTF-8: send the filename in UTF-8, or as ` +
        "filename*=UTF-8''... or filename*=ISO-8859-1''... (RFC 8187)",
    );
  }
}

/** The boundary parameter of a `multipart/form-data` content type. */
function boundaryOf(contentType: string): string {
  const [type, ...params] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "multipart/form-data") {
    throw new HttpError(
      400,
      `expected Content-Type multipart/form-data, got ${shortened(contentType)}`,
    );
  }
  // Two boundaries leave the body ambiguous (a proxy may split it by the
  // other one, as with a part header given twice): refused, not guessed.
  const boundaries = params.filter((param) => {
    const eq = param.indexOf("=");
    return eq > 0 && param.slice(0, eq).trim().toLowerCase() === "boundary";
  });
  if (boundaries.length > 1) {
    throw new HttpError(400, "multipart/form-data Content-Type has more than one boundary");
  }
  const param = boundaries[0];
  if (param === undefined) {
    // A header set by hand (requests' headers= beside files=, fetch with a
    // FormData body and this header) replaces the one the client would
    // have written with the boundary its body uses.
    throw new HttpError(
      400,
      "multipart/form-data Content-Type names no boundary: do not set Content-Type yourself " +
        "for a multipart upload (curl -F, requests' files= and fetch with a FormData body " +
        "set it, with the boundary their body uses)",
    );
  }
  const value = param.slice(param.indexOf("=") + 1).trim().replace(/^"(.*)"$/, "$1");
  if (value.length >= 1 && value.length <= 70) return value;
  throw new HttpError(
    400,
    `multipart/form-data Content-Type has no valid boundary: boundary ${
      value.length <= 70 ? inertJson(value) : `of ${value.length} characters`
    } (RFC 2046: 1 to 70 characters)`,
  );
}

/**
 * A part's headers by lowercased name. A line that starts with a space or a
 * tab continues the header above it (RFC 5322 folding, which part headers
 * keep as MIME headers): Python's `email` package folds a long
 * `Content-Disposition` before `filename=`, and Werkzeug (the KBase
 * server's parser) and `email.parser` unfold it. Refused, such an upload
 * got 400 "bad part header".
 */
async function partHeaders(scanner: Scanner): Promise<Map<string, string>> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (let n = 0; n < 100; n++) {
    const line = await scanner.line();
    if (line === undefined) throw malformed("body ends inside part headers");
    if (line === "") {
      for (const [name, value] of headers) headers.set(name, value.trim());
      return headers;
    }
    if (last !== undefined && (line[0] === " " || line[0] === "\t")) {
      // Unfolding removes the line break only (spaces in a quoted filename stay).
      headers.set(last, headers.get(last)! + line);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed(`bad part header ${JSON.stringify(line.slice(0, 100))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    // Two values for one header leave the part ambiguous (another parser
    // may take the other one): refused rather than guessed.
    if (headers.has(name)) throw malformed(`part header ${JSON.stringify(name)} appears twice`);
    headers.set(name, line.slice(colon + 1));
    last = name;
  }
  throw malformed("too many part headers");
}

/**
 * `form-data; name="file"; filename="a.txt"` → name and filename, decoded
 * the way browsers, curl and Python's requests encode them (WHATWG form
 * encoding: `"`, CR and LF sent as `%22`, `%0D`, `%0A`; `"` also as `\"`;
 * backslashes and other `%` literal), with an RFC 8187
 * `filename*=UTF-8'lang'...` (or ISO-8859-1) preferred when present; one
 * that cannot be decoded is ignored beside a plain filename and refused
 * alone; RFC 2231 continuations (`filename*0*`, `filename*1*`...) are
 * joined first. The filename is returned as
 * sent, path and all ({@linkcode readFilePart} keeps its base name). A
 * parameter given twice is `HttpError` 400: parsers that take the first
 * and parsers that take the last would see different fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDisposition } from "./multipart.ts";
 * assert.deepEqual(
 *   parseDisposition(`form-data; name="file"; filename="a.txt"; filename*=UTF-8''%C3%A9.txt`),
 *   { name: "file", filename: "é.txt" },
 * );
 * assert.equal(parseDisposition(`form-data; name="file"; filename*=UTF-8'en'%C3%A9.txt`).filename, "é.txt");
 * assert.equal(parseDisposition(`form-data; name="file"; filename*=iso-8859-1''%E9.txt`).filename, "é.txt");
 * assert.throws(() => parseDisposition(`form-data; name="file"; filename*=koi8-r''%E9`), /RFC 8187/);
 * assert.equal(parseDisposition('form-data; name="file"; filename="a%22b\\c.csv"').filename, 'a"b\\c.csv');
 * assert.equal(parseDisposition('form-data; name="file"; filename="a%0Ab%25"').filename, "a\nb%25");
 * assert.throws(() => parseDisposition('form-data; name="x"; name="file"'), /twice/);
 * assert.equal(parseDisposition(`form-data; name="file"; filename*0*=utf-8''r%C3%A9s; filename*1="ult.tsv"`).filename, "résult.tsv");
 * ```
 */
export function parseDisposition(value: string): { name?: string; filename?: string } {
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\"|\\)*)"|([^;]*))/g;
  // Where the last parameter ended: text between parameters other than
  // spaces and `;` (`filename="safe.txt"x.exe`, a `"` sent unescaped) was
  // skipped, storing `safe.txt` where Python's `email` package reads
  // `"safe.txt"x.exe`; it is refused, as a parameter given twice is.
  let end: number | undefined;
  const between = (text: string) => {
    if (/[^\s;]/.test(text)) {
      throw malformed(
        `Content-Disposition holds ${
          quoted(text.trim())
        } where a "; name=value" parameter belongs (${
          quoted(value)
        }): send a '"' inside a filename as %22 or \\"`,
      );
    }
  };
  for (const m of value.matchAll(re)) {
    if (end !== undefined) between(value.slice(end, m.index));
    end = m.index + m[0].length;
    const v = m[2] !== undefined ? unescapeFormParam(m[2]) : (m[3] ?? "").trim();
    const key = m[1]!.toLowerCase();
    if (params.has(key)) {
      throw malformed(`Content-Disposition gives ${JSON.stringify(key)} twice`);
    }
    params.set(key, v);
  }
  if (end !== undefined) between(value.slice(end));
  let filename = params.get("filename");
  const continued = joinContinuations(params, "filename");
  if (continued !== undefined && params.has("filename*")) {
    throw malformed(`Content-Disposition gives "filename*" and its continuations "filename*0"...`);
  }
  const extended = continued ?? params.get("filename*");
  if (extended !== undefined) {
    const decoded = decodeExtValue(extended);
    if (decoded !== undefined) filename = decoded;
    else if (filename === undefined) {
      throw malformed(
        `Content-Disposition filename* ${
          JSON.stringify(extended)
        } is not charset'language'percent-encoded text in UTF-8 or ISO-8859-1 (RFC 8187)`,
      );
    }
  }
  const name = params.get("name");
  return {
    ...(name === undefined ? {} : { name }),
    ...(filename === undefined ? {} : { filename }),
  };
}

/**
 * A quoted Content-Disposition parameter as sent: `\"` unquoted and the
 * three WHATWG escapes decoded all together. Decoding only `%22` stored a
 * name with a newline (curl 7.81+, urllib3 2.x and browsers send `%0A`) as
 * the different name `a%0Ab.txt`; decoded, it meets the same control
 * character check as a `filename*`.
 */
function unescapeFormParam(quoted: string): string {
  return quoted.replaceAll('\\"', '"').replace(
    /%(22|0D|0A)/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * An RFC 2231 parameter split into continuations (`filename*0*=utf-8''a%C3;
 * filename*1*=%A9.txt; filename*2="more"`), as Python's `email` package
 * writes a long filename, joined into one ext-value for
 * {@linkcode decodeExtValue} (plain pieces percent-encoded); undefined when
 * there is none. The pieces run from 0 with no number missing: a piece past
 * a gap (`filename*0`, `filename*2`), or pieces without a `key*0`, are
 * refused, as is a number given both plain and extended. Read up to the gap
 * (or ignored), they named another file than Python's `email` package and
 * Werkzeug, which join every piece they find, read from the same header.
 */
function joinContinuations(params: Map<string, string>, key: string): string | undefined {
  const pieces: { ext: boolean; value: string }[] = [];
  for (let i = 0;; i++) {
    const plain = params.get(`${key}*${i}`);
    const ext = params.get(`${key}*${i}*`);
    if (plain !== undefined && ext !== undefined) {
      throw malformed(`Content-Disposition gives "${key}*${i}" twice`);
    }
    if (plain === undefined && ext === undefined) break;
    pieces.push(ext === undefined ? { ext: false, value: plain! } : { ext: true, value: ext });
  }
  const section = new RegExp(`^${key}\\*(\\d+)\\*?$`);
  const past = [...params.keys()].find((name) => {
    const m = section.exec(name);
    return m !== null && !(m[1] === String(Number(m[1])) && Number(m[1]) < pieces.length);
  });
  if (past !== undefined) {
    throw malformed(
      `Content-Disposition gives ${JSON.stringify(past)} without ${
        JSON.stringify(`${key}*${pieces.length}`)
      }: RFC 2231 continuations count up from 0 with none missing`,
    );
  }
  if (pieces.length === 0) return undefined;
  const first = pieces[0]!;
  // Only the first piece names the charset and language (RFC 2231 4.1).
  const head = first.ext ? /^([^']*'[^']*')(.*)$/.exec(first.value) : null;
  if (first.ext && head === null) return first.value; // undecodable, as a lone filename* would be
  const prefix = head?.[1] ?? "utf-8''";
  const rest = [head?.[2] ?? encodeURIComponent(first.value)];
  for (const piece of pieces.slice(1)) {
    rest.push(piece.ext ? piece.value : encodeURIComponent(piece.value));
  }
  return prefix + rest.join("");
}

/**
 * An RFC 8187 ext-value (`charset'language'value`, the value percent-encoded)
 * in UTF-8 or ISO-8859-1 (or US-ASCII, their common subset, which Python's
 * `email` package names for an ASCII filename), decoded; undefined for
 * another charset or a malformed one.
 */
function decodeExtValue(ext: string): string | undefined {
  const m = /^([^']*)'[^']*'(.*)$/.exec(ext);
  if (m === null) return undefined;
  const charset = m[1]!.toLowerCase();
  const value = m[2]!;
  try {
    if (charset === "utf-8") return decodeURIComponent(value);
    if (charset === "us-ascii") {
      const text = decodeURIComponent(value);
      return [...text].every((c) => c.charCodeAt(0) < 0x80) ? text : undefined;
    }
    if (charset === "iso-8859-1") {
      // Each byte is its own code point in ISO-8859-1.
      return value.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    }
  } catch {
    // a broken UTF-8 sequence
  }
  return undefined;
}

/** A forward-only view of a byte stream with delimiter search. */
class Scanner {
  readonly #reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  /** The block `#fill` last read into, and where its bytes end (see `#fill`). */
  #block: Uint8Array = new Uint8Array(0);
  #blockEnd = 0;
  #eof = false;
  /** The body's line ending; `undefined` until the first line tells (see `line`). */
  #eol: Uint8Array | undefined;
  #overhead = 0;
  readonly #maxOverhead: number;
  readonly #onRead: (bytes: number) => void;
  readonly #idleMs: number;
  /** Time spent waiting for reads, and bytes they brought, since the body last brought MIN_BYTES_PER_IDLE. */
  #waited = 0;
  #brought = 0;
  /** The minimum average rate in bytes per second (0: none), and the body's totals it is held to. */
  readonly #minRate: number;
  #totalWaited = 0;
  #total = 0;
  /** Whether any read brought a byte (a body that had none is told so). */
  gotBytes = false;
  /** Refuses a body that comes in tiny reads (see tiny_reads.ts), when given. */
  readonly #tiny: TinyReadsGuard | undefined;

  constructor(
    reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>,
    maxOverhead: number,
    onRead: (bytes: number) => void,
    idleMs: number,
    minRate: number,
    tiny: TinyReadsGuard | undefined,
  ) {
    this.#reader = reader;
    this.#tiny = tiny;
    this.#maxOverhead = maxOverhead;
    this.#onRead = onRead;
    this.#idleMs = idleMs;
    this.#minRate = idleMs > 0 && idleMs < Infinity && minRate > 0 && minRate < Infinity
      ? minRate
      : 0;
  }

  /** How much longer reads may wait before the body falls under `#minRate` (Infinity: no rate). */
  #rateLeft(): number {
    if (this.#minRate === 0) return Infinity;
    return this.#idleMs + this.#total / this.#minRate * 1000 - this.#totalWaited;
  }

  /** The 408's message, `moreMs` after the reads' waiting so far (a read cut when its time runs out). */
  #tooSlow(moreMs = 0): string {
    return `the request body arrives too slowly: ${this.#total} bytes in ` +
      `${Math.round((this.#totalWaited + moreMs) / 100) / 10} s of waiting, under the minimum of ` +
      `${this.#minRate} bytes/s after the first ${this.#idleMs / 1000} s`;
  }

  /**
   * One read of the body, bounded by the idle timeout: 408 when it brings
   * nothing in time, or when the reads since the body last brought
   * {@linkcode MIN_BYTES_PER_IDLE} waited that long in all (a trickle); 400
   * when the body fails (the client went away). Time the service spends
   * between reads (writing to the store) does not count.
   */
  async #read(
    read: Promise<ReadableStreamReadResult<Uint8Array>>,
  ): Promise<ReadableStreamReadResult<Uint8Array>> {
    const started = performance.now();
    const floorLeft = this.#idleMs - this.#waited;
    const rateLeft = this.#rateLeft();
    // The nearer bound cuts a read that waits on: the floor, or the average rate.
    const bounded = this.#idleMs > 0 && this.#idleMs < Infinity;
    const left = bounded ? Math.max(1, Math.min(floorLeft, rateLeft)) : 0;
    const slowly = `the request body arrives too slowly: less than ${MIN_BYTES_PER_IDLE} ` +
      `bytes came in ${this.#idleMs / 1000} s`;
    const why = rateLeft < floorLeft
      ? this.#tooSlow(left)
      : this.#brought === 0
      ? undefined
      : slowly;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await withinIdle(read, left, (stalled) => void this.cancel(stalled), why);
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw bodyReadFailed(e, "upload was cut off");
    }
    if (!result.done && result.value.length > 0) this.gotBytes = true;
    if (!result.done && this.#tiny !== undefined) {
      try {
        this.#tiny.count(result.value.length);
      } catch (e) {
        await this.cancel(e);
        throw e;
      }
    }
    if (bounded) {
      const waited = performance.now() - started;
      this.#waited += waited;
      this.#brought += result.value?.length ?? 0;
      this.#totalWaited += waited;
      this.#total += result.value?.length ?? 0;
      if (!result.done && this.#rateLeft() < 0) {
        const slow = new HttpError(408, this.#tooSlow());
        await this.cancel(slow);
        throw slow;
      }
      if (this.#brought >= MIN_BYTES_PER_IDLE || result.done) {
        this.#waited = 0;
        this.#brought = 0;
      } else if (this.#waited >= this.#idleMs) {
        const slow = new HttpError(408, slowly);
        await this.cancel(slow);
        throw slow;
      }
    }
    return result;
  }

  unshift(bytes: Uint8Array): void {
    this.#buf = concatBytes([bytes, this.#buf]);
  }

  async cancel(reason: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => {});
  }

  /**
   * Reads chunks until the buffer holds at least `want` bytes (at least one
   * chunk), joining them with one copy; false when the body had nothing more.
   * Network chunks are often small: passing on blocks of ~256 KiB keeps the
   * per-chunk cost of the streams downstream low.
   */
  async #fill(want = 0): Promise<boolean> {
    if (this.#eof) return false;
    if (this.#reader instanceof ReadableStreamBYOBReader) return await this.#fillInPlace(want);
    // Each chunk is copied into one block as it comes, never kept: a byte
    // stream's default reads hand out views of buffers of 64 KiB each, so
    // holding a chunked body's tiny chunks until the block is full held
    // 64 KiB per byte received (1 GiB of memory for a 20 KB upload).
    const kept = this.#buf.length;
    // Chunks go after the buffer in the block it lies in when nothing else
    // does (the bytes past its end are free: views handed out lie before):
    // a new block per call copied what was kept each time, and a 1 MB
    // header line sent in 16-byte chunks copied ~30 GB.
    let block = this.#block;
    let start = this.#buf.byteOffset - block.byteOffset;
    let filled = start + kept;
    if (this.#buf.buffer !== block.buffer || filled !== this.#blockEnd) {
      block = new Uint8Array(Math.max(want, kept + MIN_READ));
      block.set(this.#buf, 0);
      start = 0;
      filled = kept;
    }
    do {
      const chunk = await this.#read(this.#reader.read());
      if (chunk.done) {
        this.#eof = true;
        break;
      }
      const bytes = chunk.value;
      if (filled + bytes.length > block.length) {
        // Sized by the bytes still wanted, not the block: its consumed front goes.
        const live = filled - start;
        const bigger = new Uint8Array(
          Math.max(want, live * 2, live + bytes.length, MIN_READ),
        );
        bigger.set(block.subarray(start, filled), 0);
        block = bigger;
        start = 0;
        filled = live;
      }
      block.set(bytes, filled);
      filled += bytes.length;
      this.#onRead(bytes.length);
    } while (filled - start < want);
    this.#block = block;
    this.#blockEnd = filled;
    if (filled - start === kept) return false;
    this.#buf = block.subarray(start, filled);
    return true;
  }

  /**
   * {@linkcode Scanner.#fill} for a byte stream: a new block holding what is
   * left of the buffer, filled by reads straight into it (never reused: the
   * views handed out stay valid).
   */
  async #fillInPlace(want: number): Promise<boolean> {
    const reader = this.#reader as ReadableStreamBYOBReader;
    const kept = this.#buf.length;
    let block = new Uint8Array(Math.max(want, kept + MIN_READ));
    block.set(this.#buf, 0);
    let filled = kept;
    do {
      const result = await this.#read(reader.read(block.subarray(filled)));
      // The read transferred the block: keep using it under its new handle.
      if (result.value !== undefined) block = new Uint8Array(result.value.buffer as ArrayBuffer);
      if (result.done) {
        this.#eof = true;
        break;
      }
      filled += result.value!.length;
      this.#onRead(result.value!.length);
    } while (filled < want && filled < block.length);
    if (filled === kept) return false;
    this.#buf = block.subarray(0, filled);
    return true;
  }

  /** The 413 for headers and fields past the overhead limit. */
  #overLimit(): HttpError {
    return new HttpError(413, `multipart headers and fields exceed ${this.#maxOverhead} bytes`);
  }

  /** Consumes `n` bytes of framing, counted against the overhead limit. */
  #take(n: number): Uint8Array {
    this.#overhead += n;
    if (this.#overhead > this.#maxOverhead) throw this.#overLimit();
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** The next `n` bytes as text without consuming them (shorter at the end). */
  async peek(n: number): Promise<string> {
    while (this.#buf.length < n && await this.#fill());
    return decoder.decode(this.#buf.subarray(0, n));
  }

  /** The body's line ending, CRLF or LF, as its first line ended; CRLF before that. */
  eol(): Uint8Array {
    return this.#eol ?? CRLF;
  }

  /**
   * One line without its ending; `undefined` at the end of the body. The
   * first line (the end of the first delimiter line) ends at its first LF
   * and sets the ending of all others: CRLF when a CR precedes that LF, else
   * a bare LF.
   */
  async line(): Promise<string | undefined> {
    const eol = this.#eol ?? LF;
    let from = 0;
    for (;;) {
      const i = indexOfBytes(this.#buf, eol, from);
      if (i >= 0) {
        if (this.#eol === undefined) {
          this.#eol = i > 0 && this.#buf[i - 1] === 0x0d ? CRLF : LF;
          const text = lineText(this.#take(i + 1 - this.#eol.length));
          this.#take(this.#eol.length);
          return text;
        }
        const text = lineText(this.#take(i));
        this.#take(eol.length);
        return text;
      }
      from = Math.max(0, this.#buf.length - 1);
      // The whole line counts as framing: past the limit it is the same 413
      // as headers spread over many lines (it was a 400 "line too long").
      if (this.#overhead + this.#buf.length > this.#maxOverhead) throw this.#overLimit();
      if (!await this.#fill()) return undefined;
    }
  }

  /**
   * The bytes up to `delim` (a small field's value, counted against the
   * overhead limit), consuming the delimiter; 400 when the body ends first,
   * `tooLong()` when more than `max` bytes come before it.
   */
  async readUntil(delim: Uint8Array, max: number, tooLong: () => Error): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const i = indexOfBytes(this.#buf, delim, 0);
      if (i >= 0) {
        if (size + i > max) throw tooLong();
        parts.push(this.#take(i).slice());
        this.#take(delim.length);
        return concatBytes(parts);
      }
      const part = this.#take(Math.max(0, this.#buf.length - delim.length + 1)).slice();
      size += part.length;
      if (size > max) throw tooLong();
      parts.push(part);
      if (!await this.#fill()) throw malformed(MISSING_DELIMITER);
    }
  }

  /** Discards everything up to and including `delim` (400 when the body ends first). */
  async skipUntil(delim: Uint8Array): Promise<void> {
    for (;;) {
      const i = indexOfBytes(this.#buf, delim, 0);
      if (i >= 0) {
        this.#take(i + delim.length);
        return;
      }
      this.#take(Math.max(0, this.#buf.length - delim.length + 1));
      if (!await this.#fill()) throw malformed(MISSING_DELIMITER);
    }
  }

  /**
   * The bytes up to `delim` as a stream, and how many it handed out;
   * consumes the delimiter at the end, then runs `after` (which reads on)
   * before the stream ends: if it throws, the stream errors instead.
   *
   * Over a byte stream (Deno.serve's request bodies) it is a byte stream
   * too: a reader that brings its own buffer (S3Store's multipart parts)
   * gets the request body read straight into it, searched for the
   * delimiter in place, with no copy in between (only the few bytes that
   * could start the delimiter are held back for the next read).
   */
  streamUntil(
    delim: Uint8Array,
    max: number,
    after: () => Promise<void>,
  ): {
    body: ReadableStream<Uint8Array>;
    bytes: () => number;
    md5: () => string;
    ended: () => Promise<boolean>;
  } {
    let total = 0;
    let done = false;
    let ended: Promise<boolean> | undefined;
    let returned: Uint8Array | undefined;
    const byteSource = this.#reader instanceof ReadableStreamBYOBReader;
    const hash = new Md5();
    // Every byte handed out passes here, before its buffer is handed over.
    const count = (bytes: Uint8Array) => {
      total += bytes.length;
      if (total > max) throw new HttpError(413, `file exceeds the upload limit of ${max} bytes`);
      hash.update(bytes);
    };
    const emit = (bytes: Uint8Array, controller: ReadableStreamController<Uint8Array>) => {
      count(bytes);
      if (byteSource) {
        // A byte stream takes over the chunk's whole buffer: what is left
        // of the block moves to a buffer of its own first (a few bytes,
        // or what follows the file).
        this.#buf = this.#buf.slice();
      }
      controller.enqueue(bytes);
    };
    const pullOnce = async (controller: ReadableStreamController<Uint8Array>) => {
      const request = controller instanceof ReadableByteStreamController
        ? controller.byobRequest
        : null;
      for (;;) {
        if (done) {
          await after();
          controller.close();
          // The request's buffer goes back to its reader: the one a read
          // took over, if one did.
          if (returned !== undefined) request?.respondWithNewView(returned);
          else request?.respond(0);
          // The epilogue carries nothing we need: read on to the body's
          // end for a moment (its connection is kept only if it ends).
          ended = this.#finish();
          await ended;
          return;
        }
        if (request !== null && request.view !== null && request.view.byteLength >= MIN_READ) {
          const { answered, found, returned: view } = await this.#pullInto(request, delim, count);
          if (found) done = true;
          if (view !== undefined) returned = view;
          if (answered > 0) return;
          continue;
        }
        const i = indexOfBytes(this.#buf, delim, 0);
        if (i >= 0) {
          const bytes = this.#buf.subarray(0, i);
          this.#buf = this.#buf.subarray(i + delim.length);
          done = true;
          if (bytes.length > 0) {
            emit(bytes, controller);
            return;
          }
          continue;
        }
        const safe = this.#buf.length - delim.length + 1;
        if (safe > 0) {
          const bytes = this.#buf.subarray(0, safe);
          this.#buf = this.#buf.subarray(safe);
          emit(bytes, controller);
          return;
        }
        if (!await this.#fill(this.#buf.length + BLOCK)) throw fileNotEnded(delim);
      }
    };
    // A pull that fails (413 past the limit, 400 cut off) errors this
    // stream, and a consumer's cancel of an errored stream never reaches
    // the request body: cancelled here, or the body stayed locked and
    // unread, and Deno.serve neither read the client's next request on the
    // kept-alive connection nor closed it (a `requests` session hung).
    const pull = async (controller: ReadableStreamController<Uint8Array>) => {
      try {
        await pullOnce(controller);
      } catch (e) {
        await this.cancel(e);
        throw e;
      }
    };
    const cancel = async (reason: unknown) => {
      await this.cancel(reason);
    };
    const body = byteSource
      ? new ReadableStream({ type: "bytes", pull, cancel })
      : new ReadableStream<Uint8Array>({ pull, cancel }, { highWaterMark: 0 });
    let digest: string | undefined;
    return {
      body,
      bytes: () => total,
      md5: () => digest ??= hash.hex(),
      ended: () => ended ?? Promise.resolve(false),
    };
  }

  /**
   * After the closing delimiter: reads what follows (dropped) until the
   * body ends, for at most {@linkcode EPILOGUE_READS} reads and
   * {@linkcode EPILOGUE_WAIT_MS}, then cancels what is left. True when the
   * body ended.
   */
  async #finish(): Promise<boolean> {
    const until = performance.now() + EPILOGUE_WAIT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      for (let i = 0; i < EPILOGUE_READS && !this.#eof; i++) {
        const left = until - performance.now();
        if (left <= 0) break;
        this.#buf = new Uint8Array(0);
        const late = new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), left);
        });
        const read = this.#fill(1);
        read.catch(() => {});
        if (await Promise.race([read, late]) === "late") break;
        clearTimeout(timer);
      }
    } catch {
      // A read that failed (the client left, a tiny-reads refusal): not ended.
    } finally {
      clearTimeout(timer);
    }
    // Told before the cancel, which ends a read still waiting.
    const ended = this.#eof;
    await this.cancel(undefined);
    return ended;
  }

  /**
   * Fills a reader's own buffer (`request.view`): first with buffered bytes,
   * then by reads of the body straight into it, until it can answer with
   * bytes before the delimiter (holding back a tail that could start it) or
   * finds the delimiter. A read transfers the request's buffer, so once one
   * was made the request must be answered from the new handle: it never
   * returns with nothing answered after a read, except when the delimiter
   * starts the buffer (then `returned` is the transferred buffer's view, to
   * answer the request with when the stream closes). Returns the number of
   * bytes answered and whether the delimiter was found (and consumed).
   */
  async #pullInto(
    request: ReadableStreamBYOBRequest,
    delim: Uint8Array,
    count: (bytes: Uint8Array) => void,
  ): Promise<{ answered: number; found: boolean; returned?: Uint8Array }> {
    const start = request.view!;
    const offset = start.byteOffset;
    const length = start.byteLength;
    let view = new Uint8Array(start.buffer as ArrayBuffer, offset, length);
    let transferred = false;
    let filled = Math.min(this.#buf.length, length);
    view.set(this.#buf.subarray(0, filled), 0);
    this.#buf = this.#buf.subarray(filled);
    const keep = (from: number, to: number) => {
      this.#buf = this.#buf.length === 0
        ? view.slice(from, to)
        : concatBytes([view.subarray(from, to), this.#buf]);
    };
    for (;;) {
      const i = indexOfBytes(view.subarray(0, filled), delim, 0);
      if (i >= 0) {
        keep(i + delim.length, filled);
        if (i > 0) {
          const out = new Uint8Array(view.buffer, offset, i);
          count(out);
          request.respondWithNewView(out);
          return { answered: i, found: true };
        }
        return transferred
          ? { answered: 0, found: true, returned: new Uint8Array(view.buffer, offset, 0) }
          : { answered: 0, found: true };
      }
      const safe = filled - delim.length + 1;
      if (safe > 0) {
        keep(safe, filled);
        const out = new Uint8Array(view.buffer, offset, safe);
        count(out);
        request.respondWithNewView(out);
        return { answered: safe, found: false };
      }
      // Too little to tell (a short network read: a small file, a slow
      // client, a chunked body): read on into the same buffer. Nothing is
      // buffered here (else the buffer would have filled the view).
      if (this.#eof) {
        keep(0, filled);
        throw fileNotEnded(delim);
      }
      const reader = this.#reader as ReadableStreamBYOBReader;
      const result = await this.#read(
        reader.read(
          new Uint8Array(view.buffer, offset + filled, Math.min(length - filled, MAX_READ)),
        ),
      );
      // The read transferred the buffer: go on with it under its new handle.
      if (result.value !== undefined) {
        view = new Uint8Array(result.value.buffer as ArrayBuffer, offset, length);
        transferred = true;
      }
      if (result.done) this.#eof = true;
      else {
        filled += result.value!.length;
        this.#onRead(result.value!.length);
      }
    }
  }
}

/** Horspool shift tables, one per needle. */
const shifts = new WeakMap<Uint8Array, Int32Array>();

/**
 * First index of `needle` in `haystack` at or after `from`, or -1
 * (Boyer-Moore-Horspool: for a boundary of ~40 bytes it looks at about one
 * byte in 40 of a file's content, where a first-byte scan stops at every
 * occurrence of that byte; node's `Buffer.indexOf` is slower still in Deno).
 *
 * Where the last byte matches, the first byte is checked next and the rest
 * is compared forwards. The needles here (`\r\n--boundary`, `\n--boundary`,
 * `\r\n`, `\n`) hold their first byte, CR or LF, nowhere else (a boundary
 * comes from a header, which has neither), so a forward comparison that gets k bytes in crosses no other
 * place a match could start, and the whole search costs at most one look
 * per byte more than Horspool's: linear whatever the client chose. A plain
 * Horspool compares backwards from the end and, with a boundary of 70 `a`s
 * over a file of `a`s, compares ~70 bytes at every position.
 */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const m = needle.length;
  const last = m - 1;
  let shift = shifts.get(needle);
  if (shift === undefined) {
    shift = new Int32Array(256).fill(m);
    for (let k = 0; k < last; k++) shift[needle[k]!] = last - k;
    shifts.set(needle, shift);
  }
  const firstByte = needle[0]!;
  const lastByte = needle[last]!;
  const end = haystack.length - m;
  let i = from;
  while (i <= end) {
    const c = haystack[i + last]!;
    if (c === lastByte && haystack[i] === firstByte) {
      let k = 1;
      while (k < last && haystack[i + k] === needle[k]) k++;
      if (k >= last) return i;
    }
    i += shift[c]!;
  }
  return -1;
}
