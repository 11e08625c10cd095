/**
 * Checking a catalog snapshot's lines before any of them reaches a catalog.
 *
 * A snapshot is input from outside (a file someone hands over, an object in
 * a shared bucket), and what it restores drives deletes later: `purge` and
 * `gc` delete each record's `content_key` from the store. So every field is
 * checked against what the repository itself writes, and a content key must
 * lie under the repository's content prefix: a snapshot that names
 * `.vc-repo.json` or another backup as a record's content would otherwise
 * make the next purge delete it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { counted } from "../counted.ts";
import { InvalidInputError } from "../errors.ts";
import type { SqlValue } from "./catalog.ts";
import { checkTag, normalizeLogicalPath, type RecordState } from "./records.ts";
import { STATES } from "./schema.ts";
import { contentKeyProblem } from "./content_key.ts";
import { REPO_BACKUP, REPO_RESTORE } from "../command_words.ts";

/** Columns of `records` in snapshot order. */
export const RECORD_FIELDS = [
  "id",
  "path",
  "state",
  "content_key",
  "size",
  "md5",
  "origin_host",
  "created_at",
  "published_at",
  "expired_at",
  "purged_at",
  "claimed_by",
  "claim_until",
] as const;

/** A snapshot's rows, checked, ready to insert. */
export interface SnapshotRows {
  /** `records` rows in {@linkcode RECORD_FIELDS} order. */
  records: SqlValue[][];
  /** `record_tags` rows: `[record_id, tag]`. */
  recordTags: SqlValue[][];
  /** `path_tags` rows: `[path, tag]`. */
  pathTags: SqlValue[][];
  /** The id of the repository the snapshot was taken of (absent in older snapshots). */
  repositoryId?: string;
  /** That repository's URI when the snapshot was taken (absent in older snapshots). */
  repository?: string;
}

/**
 * The snapshot format written now: version 2 ends with a line counting the
 * records and tags before it. Version 1 (no such line) is still restored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SNAPSHOT_VERSION } from "./backup_lines.ts";
 * assert.equal(SNAPSHOT_VERSION, 2);
 * ```
 */
export const SNAPSHOT_VERSION = 2;

/** The largest record id a snapshot may hold: ids after it still have 15 digits. */
export const MAX_RESTORED_ID = 100_000_000_000_000;

// What a line after the header holds, one of them alone: `end` only in version 2.
const LINE_KINDS: readonly string[] = ["record", "recordTag", "pathTag", "end"];

// A record line is a few hundred bytes; a line this long is not one.
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Parses and checks a snapshot's text (JSON Lines: a header, then records and
 * tags). Anything a repository could not have written is an
 * `InvalidInputError` naming `source`, the line and the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSnapshotLines } from "./backup_lines.ts";
 * const header = '{"format":"vc-repo-backup","version":1}';
 * const record = (key: string) => JSON.stringify({ record: {
 *   id: 1, path: "/a.csv", state: "expired", content_key: key, size: 1,
 *   md5: "0".repeat(32), origin_host: "h", created_at: 1, expired_at: 2 } });
 * const rows = parseSnapshotLines(`${header}\n${record("content/x.csv")}\n`, "b.jsonl.gz", "content/");
 * assert.equal(rows.records.length, 1);
 * assert.throws(
 *   () => parseSnapshotLines(`${header}\n${record(".vc-repo.json")}\n`, "b.jsonl.gz", "content/"),
 *   /b\.jsonl\.gz: line 2: content_key ".vc-repo.json" is not under content\//,
 * );
 * ```
 */
export function parseSnapshotLines(
  text: string,
  source: string,
  contentPrefix: string,
): SnapshotRows {
  const parser = new SnapshotParser(source, contentPrefix);
  const lines = text.split("\n");
  // The text after the last newline: nothing, in a whole backup.
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => parser.line(line, i + 1));
  const summary = parser.finish();
  return { ...parser.takeRows(), ...header(summary) };
}

/**
 * Parses and checks a snapshot as it is decompressed, line by line, so a
 * hostile file (a gzip bomb, a line that never ends, a first line that is
 * not the header) is refused after reading at most one line too many, not
 * after inflating all of it into memory. Errors as
 * {@linkcode parseSnapshotLines}; a damaged gzip stream is an
 * `InvalidInputError` too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSnapshotStream } from "./backup_lines.ts";
 * const gz = new Blob(['{"format":"vc-repo-backup","version":1}\n{"pathTag":["/a","t"]}\n'])
 *   .stream().pipeThrough(new CompressionStream("gzip"));
 * const rows = await parseSnapshotStream(gz, "b.jsonl.gz", "content/");
 * assert.deepEqual(rows.pathTags, [["/a", "t"]]);
 * ```
 */
export async function parseSnapshotStream(
  gzip: ReadableStream<Uint8Array>,
  source: string,
  contentPrefix: string,
): Promise<SnapshotRows> {
  const rows: SnapshotRows = { records: [], recordTags: [], pathTags: [] };
  const summary = await scanSnapshotStream(gzip, source, contentPrefix, (batch) => {
    // One by one: a batch can hold more rows than a call takes arguments.
    for (const row of batch.records) rows.records.push(row);
    for (const row of batch.recordTags) rows.recordTags.push(row);
    for (const row of batch.pathTags) rows.pathTags.push(row);
  });
  return { ...rows, ...header(summary) };
}

/** What a snapshot holds, without its rows: their counts, its record ids and its header's names. */
export interface SnapshotSummary {
  /** Rows of each kind. */
  counts: { records: number; recordTags: number; pathTags: number };
  /** The ids of its records. */
  ids: ReadonlySet<number>;
  /** Of those, the ids of its purged records. */
  purgedIds: ReadonlySet<number>;
  /** The id of the repository the snapshot was taken of (absent in older snapshots). */
  repositoryId?: string;
  /** That repository's URI when the snapshot was taken (absent in older snapshots). */
  repository?: string;
}

/** Rows handed on in batches of about this many, then forgotten. */
const ROWS_PER_BATCH = 1000;

/**
 * Errors of {@linkcode scanSnapshotStream} that damage on the way could have
 * caused: thrown past an accepted header, or by a gzip stream that gives no
 * line at all. An answer that is no snapshot (no gzip, another repository's,
 * a first line that is no header) is not among them: it is refused at once,
 * without reading the rest.
 */
const MAY_BE_DAMAGE = new WeakSet<object>();

/**
 * Whether `error`, thrown by {@linkcode scanSnapshotStream}, may come of
 * bytes damaged on the way (see `MAY_BE_DAMAGE`): worth checking the
 * download against what the store states of the object before blaming the
 * snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayBeDamage } from "./backup_lines.ts";
 * assert.equal(mayBeDamage(new Error("x")), false);
 * ```
 */
export function mayBeDamage(error: unknown): boolean {
  return typeof error === "object" && error !== null && MAY_BE_DAMAGE.has(error);
}

/**
 * Checks a snapshot as {@linkcode parseSnapshotStream} does, handing its
 * rows to `onRows` a batch at a time and keeping none: memory stays bounded
 * whatever the snapshot's size (but for the ids and keys it checks for
 * repeats). An error of `gzip` itself (a download that fails, a signal) is
 * thrown as it is, not taken for a damaged snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanSnapshotStream } from "./backup_lines.ts";
 * const gz = new Blob(['{"format":"vc-repo-backup","version":1}\n{"pathTag":["/a","t"]}\n'])
 *   .stream().pipeThrough(new CompressionStream("gzip"));
 * let tags = 0;
 * const summary = await scanSnapshotStream(gz, "b.jsonl.gz", "content/", (rows) => {
 *   tags += rows.pathTags.length;
 * });
 * assert.equal(tags, 1);
 * assert.equal(summary.counts.pathTags, 1);
 * ```
 */
export async function scanSnapshotStream(
  gzip: ReadableStream<Uint8Array>,
  source: string,
  contentPrefix: string,
  onRows: (rows: SnapshotRows) => void | Promise<void>,
  onHeader?: (
    header: Pick<SnapshotSummary, "repositoryId" | "repository">,
  ) => void | Promise<void>,
): Promise<SnapshotSummary> {
  const parser = new SnapshotParser(source, contentPrefix);
  // Told once, as soon as the header is read: a snapshot of another
  // repository is refused then, not after the whole of it is read.
  let headerTold = onHeader === undefined;
  // Whether the header was read and taken (by `onHeader`).
  let accepted = false;
  // What `onHeader` refused the snapshot (or the restore) with: thrown as
  // it is, never read on for damage further on (up to 256 MB of text).
  let headerRefusal: { cause: unknown } | undefined;
  const refused = (cause: unknown): never => {
    headerRefusal = { cause };
    throw cause;
  };
  const tellHeader = (): void | Promise<void> => {
    let told: void | Promise<void> = undefined;
    if (!headerTold && parser.sawHeader) {
      headerTold = true;
      try {
        told = onHeader!(parser.header);
      } catch (cause) {
        refused(cause);
      }
    }
    accepted ||= parser.sawHeader;
    return told instanceof Promise ? told.catch(refused) : undefined;
  };
  // Whether the file starts as gzip does: one that does, yet gives no line
  // (damaged in its first block, or a whole snapshot followed by other
  // bytes), is no other kind of file.
  let gzipMagic: boolean | undefined;
  // The input's first bytes, to name what a file that is no gzip stream is.
  let head: Uint8Array | undefined;
  // What reading the input itself failed with: thrown as it is.
  let inputError: { cause: unknown } | undefined;
  const input = gzip.getReader();
  const reader = new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      // Past empty chunks (a small object read whole hands an empty file on
      // as one): a pull that enqueues nothing is not called again, and the
      // read waiting for it never settled.
      do {
        try {
          chunk = await input.read();
        } catch (cause) {
          inputError = { cause };
          throw cause;
        }
      } while (!chunk.done && chunk.value.length === 0);
      if (chunk.done) return controller.close();
      gzipMagic ??= chunk.value[0] === 0x1f && chunk.value[1] === 0x8b;
      head ??= chunk.value.slice(0, HEAD_BYTES);
      // In small slices: the decompressor inflates each chunk it is given in
      // one go, so one big chunk of a gzip bomb would become one enormous
      // string before the first line could be refused (deflate inflates at
      // most ~1032×, so a 4 KiB slice stays a few MiB).
      for (let at = 0; at < chunk.value.length; at += 4096) {
        controller.enqueue(new Uint8Array(chunk.value.subarray(at, at + 4096)));
      }
    },
    cancel(reason) {
      return input.cancel(reason);
    },
  }).pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  let lineNo = 0;
  // Whether the gzip stream itself failed (not a line of it).
  let scanFailed = false;
  // Reads the rest of the stream, keeping none of it, up to a bound (a few
  // MB of gzip can expand to GBs): whether gzip fails on it, its own error
  // (not the input's: a download that fails is no damage).
  const gzipFailsFurtherOn = async (): Promise<boolean> => {
    try {
      for (let chars = 0; chars < DAMAGE_CHECK_CHARS;) {
        const next = await reader.read();
        if (next.done) return false;
        chars += next.value.length;
      }
      return false;
    } catch {
      return inputError === undefined;
    }
  };
  try {
    return await scanLines();
  } catch (caught) {
    if (headerRefusal !== undefined) throw headerRefusal.cause;
    let error = caught;
    // A line refused in a gzip stream whose checksum fails further on: its
    // bytes changed after vc wrote them (a flipped bit on a disk, a bad
    // copy), which the line's problem alone (`unknown field "contelt_key"`)
    // would hide. gzip checks its CRC only at the stream's end: read on.
    if (
      error instanceof InvalidInputError && !scanFailed && gzipMagic === true &&
      await gzipFailsFurtherOn()
    ) {
      error = new InvalidInputError(
        `${source} is damaged: its gzip stream fails its check, so bytes of it changed ` +
          `after it was written (a damaged disk or copy); restore another snapshot ` +
          `(where it reads wrong: ${error.message.replace(`${source}: `, "")})`,
        { cause: error },
      );
    }
    if (
      error instanceof InvalidInputError &&
      (accepted || (gzipMagic === true && lineNo === 0 && pending === ""))
    ) MAY_BE_DAMAGE.add(error);
    throw error;
  } finally {
    await reader.cancel().catch(() => {});
  }

  async function scanLines(): Promise<SnapshotSummary> {
    while (true) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        scanFailed = true;
        if (inputError !== undefined) throw inputError.cause;
        // Lines already read: the file is a backup whose gzip stream breaks
        // off (a copy cut short, a damaged disk), or is followed by other
        // bytes (a second file appended), which fail the stream as early:
        // the lines of its last chunks are lost with it, the last line too.
        const gzipBreaks = `${source} is cut short or damaged, or has other data after its end: ` +
          "its gzip stream";
        throw new InvalidInputError(
          lineNo > 0 || pending !== ""
            ? `${gzipBreaks} breaks off after line ${lineNo}`
            : gzipMagic
            ? `${gzipBreaks} gives no line`
            : notGzip(source, head),
          { cause },
        );
      }
      if (chunk.done) break;
      pending += chunk.value;
      let start = 0;
      let newline: number;
      while ((newline = pending.indexOf("\n", start)) !== -1) {
        parser.line(pending.slice(start, newline), ++lineNo);
        start = newline + 1;
        const told = tellHeader();
        if (told !== undefined) await told;
      }
      pending = pending.slice(start);
      // A line still open past the cap is refused without reading the rest.
      if (pending.length > MAX_LINE_CHARS) parser.line(pending, lineNo + 1);
      if (parser.held >= ROWS_PER_BATCH) await onRows(parser.takeRows());
    }
    // The text after the last newline: nothing, in a whole backup.
    if (pending !== "") parser.line(pending, ++lineNo);
    await tellHeader();
    const summary = parser.finish();
    await onRows(parser.takeRows());
    return summary;
  }
}

// Characters read on past a refused line for gzip's checksum at the
// stream's end: past them the line's problem is said alone.
const DAMAGE_CHECK_CHARS = 256 * 1024 * 1024;

// Bytes of a file that is no gzip stream read to say what it is instead (a
// tar archive's magic is at byte 257).
const HEAD_BYTES = 512;

/**
 * Why `source`, whose first bytes are `head` (undefined: none), is no
 * snapshot: an empty file, a snapshot gunzipped (to read it), and a copy of
 * a SQLite catalog file are named as such, with what to do.
 */
function notGzip(source: string, head: Uint8Array | undefined): string {
  if (head === undefined || head.length === 0) {
    return `${source} is empty (0 bytes), not a vc-repo backup (one cut off before it was ` +
      "written?): restore another snapshot";
  }
  const text = new TextDecoder().decode(head);
  if (text.startsWith("SQLite format 3\u0000")) {
    return `${source} is a SQLite database (a copy of a catalog file?), not a vc-repo backup: ` +
      `${REPO_RESTORE.library} takes a snapshot that ${REPO_BACKUP.library} wrote ` +
      "(gzip-compressed JSON Lines)";
  }
  if (text.startsWith("PK\u0003\u0004")) return archive(source, "zip", "unzip FILE");
  if (/^\s*\{\s*"format"\s*:\s*"vc-repo-backup"/.test(text)) {
    return `${source} is not a gzip-compressed vc-repo backup: it holds one gunzipped (to read ` +
      "it?); compress it again (gzip -k FILE) and restore FILE.gz";
  }
  if (text.slice(257, 262) === "ustar") return archive(source, "tar", "tar xf FILE");
  return `${source} is not a gzip-compressed vc-repo backup`;
}

/**
 * Why `source`, a gzip stream whose first line is `line`, is no snapshot,
 * when that line shows what it is instead: a tar archive (`tar czf` of
 * backups; its header's magic at byte 257), or a snapshot gzipped again
 * (gzip's magic, `1f 8b`, the second byte no UTF-8). Undefined otherwise.
 */
function gunzippedKind(source: string, line: string): string | undefined {
  if (line.slice(257, 262) === "ustar") return archive(source, "tar", "tar xzf FILE");
  if (line.startsWith("\u001f\ufffd")) {
    return `${source} is gzip-compressed twice (gzip run on a backup), not a vc-repo backup as ` +
      `${REPO_BACKUP.library} writes it: decompress it once (gunzip FILE, if it ends in .gz) ` +
      "and restore the file that gives";
  }
  return undefined;
}

// An archive that may hold a snapshot, and the command that extracts it.
function archive(source: string, kind: string, extract: string): string {
  return `${source} is a ${kind} archive, not a vc-repo backup: extract the snapshot from it ` +
    `(${extract}) and restore that file`;
}

// A summary's names from the header, where it has them.
function header(summary: SnapshotSummary): Pick<SnapshotRows, "repositoryId" | "repository"> {
  return {
    ...(summary.repositoryId === undefined ? {} : { repositoryId: summary.repositoryId }),
    ...(summary.repository === undefined ? {} : { repository: summary.repository }),
  };
}

class SnapshotParser {
  // The rows not yet taken (see takeRows), and the counts of all.
  #rows: SnapshotRows = { records: [], recordTags: [], pathTags: [] };
  #counts = { records: 0, recordTags: 0, pathTags: 0 };
  #repositoryId: string | undefined;
  #repository: string | undefined;
  #ids = new Set<number>();
  #purgedIds = new Set<number>();
  #keys = new Set<string>();
  #tags = new Set<string>();
  #sawHeader = false;
  #version = 0;
  #sawEnd = false;

  constructor(readonly source: string, readonly contentPrefix: string) {}

  /** Whether the header line was read. */
  get sawHeader(): boolean {
    return this.#sawHeader;
  }

  /** The header's names of the repository the snapshot was taken of. */
  get header(): Pick<SnapshotSummary, "repositoryId" | "repository"> {
    return {
      ...(this.#repositoryId === undefined ? {} : { repositoryId: this.#repositoryId }),
      ...(this.#repository === undefined ? {} : { repository: this.#repository }),
    };
  }

  line(line: string, lineNo: number): void {
    const { source } = this;
    const at = `${source}: line ${lineNo}`;
    const bad = (why: string) => new InvalidInputError(`${at}: ${why}`);
    // vc writes no blank line: one is an altered file (and a few MB of
    // gzip holding GBs of them would otherwise be read to the end).
    if (line === "") throw bad("is empty, which no vc-repo backup has (was the file altered?)");
    // A first line that is no JSON may show what the file is instead: said
    // so (a header that is JSON is never taken for one).
    const otherFile = () => {
      const other = this.#sawHeader ? undefined : gunzippedKind(source, line);
      if (other !== undefined) throw new InvalidInputError(other);
    };
    if (line.length > MAX_LINE_CHARS) {
      otherFile();
      throw bad(`is over ${MAX_LINE_CHARS} characters long, more than a record or tag can be`);
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      otherFile();
      throw new InvalidInputError(`${at} is not JSON: ${(cause as Error).message}`, { cause });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw bad("is not a JSON object");
    }
    const v = value as Record<string, unknown>;
    if (!this.#sawHeader) {
      if (v.format !== "vc-repo-backup") {
        throw new InvalidInputError(
          `${source} is not a vc-repo backup (version 1 or ${SNAPSHOT_VERSION}): its first line ` +
            "is not the header",
        );
      }
      // A header of another version is no "first line that is not the
      // header": a newer vc's backup needs that vc, a damaged one its fix.
      if (v.version !== 1 && v.version !== SNAPSHOT_VERSION) {
        const newer = typeof v.version === "number" && Number.isInteger(v.version) &&
          v.version > SNAPSHOT_VERSION;
        throw new InvalidInputError(
          `${source} is a vc-repo backup of version ${JSON.stringify(v.version ?? null)}, ` +
            `which this vc does not read (it reads versions 1 and ${SNAPSHOT_VERSION})` +
            (newer
              ? ": a newer vc wrote it, so restore it with that vc (upgrade vc)"
              : ": its header is damaged"),
        );
      }
      this.#sawHeader = true;
      this.#version = v.version;
      // Taken as absent when of another type, the id would let a snapshot
      // of another repository through as one from before ids were kept.
      for (const name of ["repositoryId", "repository"] as const) {
        if (name in v && typeof v[name] !== "string") {
          throw bad(`header field ${name} ${JSON.stringify(v[name])} is not a string`);
        }
      }
      if (typeof v.repositoryId === "string") this.#repositoryId = v.repositoryId;
      if (typeof v.repository === "string") this.#repository = v.repository;
      return;
    }
    if (this.#sawEnd) throw bad("follows the snapshot's last line");
    // vc writes one kind of row a line and nothing beside it: a line edited
    // to hold two (a pathTag added to a recordTag's line) or another key
    // would otherwise be restored as one kind, the rest dropped unsaid.
    const keys = Object.keys(v);
    if (keys.length !== 1 || !LINE_KINDS.includes(keys[0]!)) {
      throw bad(
        `holds ${keys.map((k) => JSON.stringify(k)).join(", ") || "no key"}: a line holds ` +
          `exactly one of ${LINE_KINDS.join(", ")}`,
      );
    }
    const rows = this.#rows;
    if ("end" in v && this.#version >= 2) {
      this.#sawEnd = true;
      const counts = v.end as Record<string, unknown> | null;
      for (const [name, n] of Object.entries(this.#counts)) {
        if (typeof counts !== "object" || counts === null || counts[name] !== n) {
          throw bad(
            `the snapshot counts ${JSON.stringify(counts?.[name] ?? null)} ${name}, ` +
              `and ${n} came before it: it is damaged`,
          );
        }
      }
    } else if ("record" in v) {
      const record = checkRecord(v.record, bad, this.contentPrefix);
      const id = record[0] as number;
      const key = record[3] as string;
      if (this.#ids.has(id)) throw bad(`record id ${id} appears more than once`);
      if (this.#keys.has(key)) {
        throw bad(`content_key ${JSON.stringify(key)} appears more than once`);
      }
      this.#ids.add(id);
      if (record[RECORD_FIELDS.indexOf("state")] === "purged") this.#purgedIds.add(id);
      this.#keys.add(key);
      rows.records.push(record);
      this.#counts.records++;
    } else if ("recordTag" in v) {
      const [id, tag] = pair(v.recordTag, bad, "recordTag");
      if (typeof id !== "number" || !this.#ids.has(id)) {
        throw bad(`recordTag names record ${JSON.stringify(id)}, which no earlier line holds`);
      }
      const row = [id, checked(() => checkTag(String(tag)), bad, tag)];
      this.#once(row, bad);
      rows.recordTags.push(row);
      this.#counts.recordTags++;
    } else if ("pathTag" in v) {
      const [path, tag] = pair(v.pathTag, bad, "pathTag");
      const row = [logicalPath(path, bad), checked(() => checkTag(String(tag)), bad, tag)];
      this.#once(row, bad);
      rows.pathTags.push(row);
      this.#counts.pathTags++;
    } else {
      throw bad("is not a record or tag");
    }
  }

  // A tag line repeated (what a gzip bomb of one line is) is refused at once.
  #once(row: SqlValue[], bad: Bad): void {
    const key = repeatKey(row);
    if (this.#tags.has(key)) throw bad(`${JSON.stringify(row)} appears more than once`);
    this.#tags.add(key);
  }

  /** Rows read and not yet taken. */
  get held(): number {
    return this.#rows.records.length + this.#rows.recordTags.length + this.#rows.pathTags.length;
  }

  /** The rows read since the last call, forgotten here. */
  takeRows(): SnapshotRows {
    const rows = this.#rows;
    this.#rows = { records: [], recordTags: [], pathTags: [] };
    return rows;
  }

  finish(): SnapshotSummary {
    if (!this.#sawHeader) {
      throw new InvalidInputError(`${this.source} is empty: no vc-repo backup header`);
    }
    if (this.#version >= 2 && !this.#sawEnd) {
      throw new InvalidInputError(
        `${this.source} is cut short: its last line (the count of what it holds) is missing, ` +
          `after ${counted(this.#counts.records, "record")}; nothing was restored`,
      );
    }
    return {
      counts: { ...this.#counts },
      ids: this.#ids,
      purgedIds: this.#purgedIds,
      ...this.header,
    };
  }
}

type Bad = (why: string) => InvalidInputError;

// Keys up to this long are kept as they are; longer ones as their digest.
const MAX_KEPT_KEY = 64;

/**
 * What a snapshot's check keeps of a tag line's `[record id or path, tag]`
 * to find it repeated: the pair itself when short (most are), else its
 * SHA-256, so a snapshot of tags on long paths (1,024 characters each) is
 * checked in bounded memory, not in GBs of the paths held whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repeatKey } from "./backup_lines.ts";
 * assert.equal(repeatKey(["/a.csv", "t"]), "p/a.csv\u0000t");
 * assert.equal(repeatKey([`/${"a".repeat(1000)}`, "t"]).length, 45);
 * ```
 */
export function repeatKey(row: SqlValue[]): string {
  // Joined by NUL, which neither a checked path nor a tag holds (no control
  // characters): one string per pair, without a JSON text of it.
  const key = `${typeof row[0] === "number" ? "r" : "p"}${row[0]}\u0000${row[1]}`;
  if (key.length <= MAX_KEPT_KEY) return key;
  // "h" and a digest: never a pair's own text, which starts with "r" or "p".
  return `h${createHash("sha256").update(key).digest("base64")}`;
}

function checkRecord(value: unknown, bad: Bad, contentPrefix: string): SqlValue[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad("record is not a JSON object");
  }
  const r = value as Record<string, unknown>;
  const unknownField = Object.keys(r).find((k) =>
    !(RECORD_FIELDS as readonly string[]).includes(k)
  );
  if (unknownField !== undefined) {
    throw bad(`record has an unknown field ${JSON.stringify(unknownField)}`);
  }
  const field = (name: string, why: string) =>
    bad(`record field ${name} ${JSON.stringify(r[name] ?? null)} ${why}`);
  const int = (name: string, optional: boolean): number | null => {
    const x = r[name] ?? null;
    if (x === null && optional) return null;
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
      throw field(name, "is not a non-negative integer");
    }
    return x;
  };
  const id = int("id", false) as number;
  if (id === 0) throw field("id", "is not a positive integer");
  // The catalog hands out ids after the largest restored: one near 2^53
  // would leave it none that JavaScript (or a 15-digit record id) can hold,
  // and every later add would fail.
  if (id > MAX_RESTORED_ID) {
    throw field("id", `is over ${MAX_RESTORED_ID}, beyond any id a repository hands out`);
  }
  const path = logicalPath(r.path, bad);
  const state = r.state;
  if (typeof state !== "string" || !(STATES as readonly string[]).includes(state)) {
    throw field("state", `is not one of ${STATES.join(", ")}`);
  }
  const key = typeof r.content_key === "string" ? r.content_key : undefined;
  const keyProblem = key === undefined ? "outside" : contentKeyProblem(key, contentPrefix);
  if (key === undefined || keyProblem === "outside") {
    throw bad(
      `content_key ${JSON.stringify(r.content_key ?? null)} is not under ${contentPrefix} ` +
        "(a repository's content is named there; restoring it could make purge and gc delete other objects)",
    );
  }
  // Under the prefix but not a name vc gives its content (a folder that is
  // not two hex digits, a deeper path, `..`): said as such, not as outside.
  if (keyProblem === "shape") {
    throw bad(
      `content_key ${JSON.stringify(key)} is not shaped like a content key vc writes ` +
        `(${contentPrefix}<name> or ${contentPrefix}<two hex digits>/<name>); restoring it ` +
        "could make purge and gc delete other objects",
    );
  }
  const size = int("size", false);
  if (typeof r.md5 !== "string" || !/^[0-9a-f]{32}$/.test(r.md5)) {
    throw field("md5", "is not 32 lower-case hex digits");
  }
  const text = (name: string, optional: boolean): string | null => {
    const x = r[name] ?? null;
    if (x === null && optional) return null;
    if (typeof x !== "string" || x.length > 1024 || /\p{Cc}/u.test(x) || !x.isWellFormed()) {
      throw field(name, "is not a short string of valid Unicode without control characters");
    }
    return x;
  };
  const originHost = text("origin_host", false);
  // The repository refuses a blank host when it writes one (setup.ts,
  // hostOption): a blank origin was never written by vc.
  if (originHost?.trim() === "") {
    throw field("origin_host", "is blank: a repository records the name of the host that added it");
  }
  // A time past the last one a JavaScript Date holds (year 275760) would be
  // restored, and then every listing of its record fail (RangeError).
  const time = (name: string, optional: boolean): number | null => {
    // A SQLite catalog kept a caller's clock's fractions of a ms as they
    // were (before the repository read it in whole ms): taken as whole ms,
    // as they are kept now, not refused by every restore of its backups.
    // (One past MAX_TIME_MS is refused below.)
    const given = r[name];
    const x = typeof given === "number" && given >= 0 && Number.isFinite(given) &&
        !Number.isInteger(given)
      ? Math.floor(given)
      : int(name, optional);
    if (x !== null && x > MAX_TIME_MS) {
      throw field(name, `is not a time (ms since 1970) up to ${MAX_TIME_MS}, year 275760`);
    }
    return x;
  };
  const times = ["created_at", "published_at", "expired_at", "purged_at"].map((name, i) =>
    time(name, i > 0)
  );
  const claimedBy = text("claimed_by", true);
  // A blank holder could never be named to renew or release its claim: the
  // record would stay held until claim_until, as with no holder at all.
  if (claimedBy?.trim() === "") {
    throw field("claimed_by", "is blank: no holder could renew or release its claim");
  }
  const claimUntil = time("claim_until", true);
  checkStateFields(state as RecordState, times, claimedBy, claimUntil, field);
  return [id, path, state, key, size, r.md5, originHost, ...times, claimedBy, claimUntil];
}

/** The last time (ms since the epoch) a JavaScript Date holds. */
const MAX_TIME_MS = 8.64e15;

// Which of published_at, expired_at and purged_at each state has (true), has
// not (false) or may have (undefined), as publish, expire, purge and gc set
// them: published clears expired_at, expired keeps a publish time, purged
// both.
const STATE_TIMES: Record<RecordState, (boolean | undefined)[]> = {
  unpublished: [false, false, false],
  published: [true, false, false],
  expired: [undefined, true, false],
  purged: [undefined, undefined, true],
};

// A record's state and its times and claim must agree, as the repository
// writes them: restored otherwise (a snapshot edited by hand), an expired
// record without expired_at is never purged by gc, and a claim_until with no
// holder keeps a published record from every claim until then, with nobody
// able to release it.
function checkStateFields(
  state: RecordState,
  times: (number | null)[],
  claimedBy: string | null,
  claimUntil: number | null,
  field: (name: string, why: string) => InvalidInputError,
): void {
  ["published_at", "expired_at", "purged_at"].forEach((name, i) => {
    const want = STATE_TIMES[state][i];
    if (want !== undefined && (times[i + 1] !== null) !== want) {
      throw field(
        name,
        `does not go with state ${state} (a ${state} record has ${want ? "one" : "none"})`,
      );
    }
  });
  if ((claimedBy === null) !== (claimUntil === null)) {
    throw field(
      claimedBy === null ? "claim_until" : "claimed_by",
      "is half a claim: claimed_by and claim_until are both set or both null",
    );
  }
  if (claimedBy !== null && state !== "published") {
    throw field(
      "claimed_by",
      `is a claim on a ${state} record: only published records are claimed`,
    );
  }
}

function logicalPath(value: unknown, bad: Bad): string {
  const path = checked(() => normalizeLogicalPath(String(value)), bad, value);
  if (path !== value) throw bad(`path ${JSON.stringify(value)} is not a normalized logical path`);
  return path;
}

function pair(value: unknown, bad: Bad, what: string): [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) throw bad(`${what} is not a [value, tag] pair`);
  return [value[0], value[1]];
}

// Runs a checker from records.ts, naming the line in its error; a value of
// the wrong type is refused before the checker sees it.
function checked(check: () => string, bad: Bad, value: unknown): string {
  if (typeof value !== "string") throw bad(`${JSON.stringify(value ?? null)} is not a string`);
  try {
    return check();
  } catch (cause) {
    throw bad((cause as Error).message);
  }
}
