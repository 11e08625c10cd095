/**
 * Verification of downloaded content: one place that decides what a
 * store's answer lets us check (size, MD5, multipart ETag, `vc-md5`
 * metadata, and an expected SHA-256 from a lock file) and checks all of it.
 *
 * A {@linkcode Verifier} is made once per object. The bytes are hashed in one
 * pass while they stream ({@linkcode Verifier.hasher}): the MD5 of the whole
 * content (or of each multipart part) and an expected SHA-256 together
 * (parallel downloads hash on workers). What could not be hashed while
 * streaming is hashed from the finished file by {@linkcode Verifier.verify},
 * which then compares everything and throws an `IntegrityError` naming the
 * URI, the expected and the actual value.
 *
 * Multipart ETags hide the part size. Standard client part sizes are tried
 * first; when none explains the ETag and the store can tell a part's size
 * (`HEAD ?partNumber=N`, {@linkcode PartSizeSource}), the real sizes are
 * learned and used, so objects with unusual or uneven parts verify. Only a
 * real mismatch is an `IntegrityError`.
 *
 * A response that carries nothing to check the content against (no ETag, or
 * a weak ETag that is not an MD5, and no `vc-md5`) is refused: a captive
 * portal's HTML page must never be cached as the object.
 *
 * A download pinned by an integrity lock entry (`pinOnly`) is checked against
 * the pinned size and SHA-256 alone: that is the stronger check (it proves
 * the bytes are the ones that were published, where an ETag only proves they
 * are what the store holds now), so the MD5 is neither computed nor compared.
 * See `pinOnly` in {@linkcode VerifierOptions} for why.
 *
 * @module
 */
import { IntegrityError } from "./errors.ts";
import { LOCK, LOCK_CHECK, UPDATE } from "./command_words.ts";
import { concatBytes } from "./bytes.ts";
import {
  candidatePartSizes,
  type Digest,
  digestIn,
  hashFileWith,
  md5File,
  multipartEtag,
  normalizeEtag,
  parseEtag,
  sha256File,
  vcMd5Of,
} from "./hash.ts";
import { checksumFile, checksumHasher } from "./object_checksum.ts";
import type { ObjectChecksum, ObjectInfo, ObjectStore } from "./store/types.ts";
import { claimJsHashing } from "./md5_js.ts";

/** Learns the real size of part `n` (1-based) of a multipart object, e.g. with `HEAD ?partNumber=N`. */
export type PartSizeSource = (
  partNumber: number,
  signal: AbortSignal,
) => Promise<number | undefined>;

/** What a {@linkcode Verifier} checks besides what the store's info says. */
export interface VerifierOptions {
  /** The object's URI, for messages. */
  uri: string;
  /** Where the content is going (for messages). */
  dest?: string;
  /** Expected hex SHA-256 of the content (an integrity lock); checked in the same pass. */
  sha256?: string;
  /**
   * With `sha256`: check the size and the pinned SHA-256 only; the content's
   * MD5 (plain ETag, multipart part MD5s, `vc-md5`) is neither hashed nor
   * compared. Used for downloads of locked entries: a SHA-256 that matches
   * proves the bytes equal the published ones (collision resistant, and
   * pinned in the lock file, out of reach of whoever can write the bucket),
   * so it subsumes everything the MD5/ETag check could find, and leaving the
   * MD5 out keeps a locked download as fast as an unlocked one. Hashing both
   * did not fit: on a 2-core machine a multipart download is bound by CPU
   * (part MD5s on every core), and the SHA-256 added ~25% to it (issue 12's
   * bound is 10%). That the ranges all come from the version the listing or
   * HEAD named is still ensured by the downloader (`If-Match` on every
   * ranged GET, and the ETag of each response compared).
   */
  pinOnly?: boolean;
  /** What pinned the SHA-256 (e.g. a lock file entry), for messages. */
  pinnedBy?: string;
  /** The lock file entry that pinned the SHA-256, if one did (see `DownloadIntegrity.lockedIn`). */
  lockedIn?: { file: string; entry: string };
  /**
   * The SHA-256 is the one recorded for a file when its content was
   * verified (a cached copy's record), not one pinned for the object: a
   * mismatch says the file changed since, not that the store's object did.
   */
  recordedSha256?: boolean;
  /** Asks the store for a part's size when no standard part size explains a multipart ETag. */
  partSize?: PartSizeSource;
  /** Part sizes learned earlier (e.g. recorded in a cache entry); the last one repeats. */
  knownPartSizes?: readonly number[];
  /**
   * Accept a response with no usable ETag and no `vc-md5` (size check only).
   * Off by default: such a response cannot be told from an error page.
   */
  allowUnverifiable?: boolean;
  /**
   * Told the bytes read so far each time the file is read to check it (a
   * cached copy checked before it is copied out takes seconds a GB). A check
   * that reads the file again (another part size tried) starts again from 0.
   */
  onReadProgress?: (bytes: number) => void;
}

/** What the store's info lets us check. */
export interface VerificationPlan {
  /** What the ETag says. */
  kind: "md5" | "multipart" | "opaque";
  /** Expected MD5 of the whole content (plain ETag, or `vc-md5` metadata). */
  md5: string | undefined;
  /** Expected SHA-256 of the whole content. */
  sha256: string | undefined;
  /** Multipart: candidate part sizes, most likely first (may be empty). */
  partSizes: number[];
  /** Multipart: number of parts the ETag names. */
  parts: number;
  /** Size of the MD5 segments hashed while streaming (Infinity = the whole object, 0 = none). */
  segment: number;
  /** The pinned SHA-256 replaces the MD5/ETag check (`segment` is then 0; see `pinOnly`). */
  pinOnly: boolean;
  /**
   * The store's full-object checksum, checked when no MD5 can be: an opaque
   * ETag without `vc-md5`, or a multipart ETag no part sizes explain.
   */
  checksum?: ObjectChecksum;
  /**
   * The store's COMPOSITE checksum (`<Base64>-N`, of the parts' checksums),
   * checked when it is all there is: an opaque ETag without `vc-md5` or a
   * full-object checksum (`parts` is then its N).
   */
  composite?: ObjectChecksum;
}

/** Hashes computed while the bytes streamed; any may be missing (then the file is hashed). */
export interface Computed {
  /** Whole-content MD5. */
  md5?: string;
  /** Per-segment MD5s (segment = `plan.segment`). */
  parts?: string[];
  /** Whole-content SHA-256. */
  sha256?: string;
  /**
   * The MD5 was computed by reading the file back while it was being written:
   * a mismatch is confirmed from the finished file before it is reported.
   */
  readBack?: boolean;
}

/** Digests a verification established. */
export interface Verified {
  /** Hex MD5 of the content, when known. */
  md5?: string;
  /** Hex SHA-256, when one was expected (and matched). */
  sha256?: string;
  /** Multipart part sizes that had to be learned from the store (record them to verify again). */
  partSizes?: number[];
  /** The store's checksum the content matched, when that was the check (no MD5 could be). */
  checksumChecked?: ObjectChecksum;
}

/**
 * Why a response is unusable for a verified download, or `undefined` when it
 * can be verified: no ETag, or a weak non-MD5 ETag, and no `vc-md5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unverifiableReason } from "./verify.ts";
 * const base = { key: "k", size: 1, lastModified: new Date() };
 * assert(unverifiableReason({ ...base, etag: "" }) !== undefined);
 * assert(unverifiableReason({ ...base, etag: 'W/"xyz"' }) !== undefined);
 * assert(unverifiableReason({ ...base, etag: "0cc175b9c0f1b6a831c399e269772661" }) === undefined);
 * ```
 */
export function unverifiableReason(info: ObjectInfo): string | undefined {
  if (vcMd5Of(info) !== undefined || info.opaqueEtag === true) return undefined;
  if (fullChecksumOf(info) !== undefined) return undefined;
  const raw = (info.etag ?? "").trim();
  if (normalizeEtag(raw) === "") return "the response has no ETag and no vc-md5 metadata";
  if (raw.startsWith("W/") && parseEtag(raw).kind !== "md5") {
    return `the response has only a weak ETag (${raw}) and no vc-md5 metadata`;
  }
  return undefined;
}

/**
 * Checks one object's content against everything known about it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Verifier } from "./verify.ts";
 * const bytes = new TextEncoder().encode("hello");
 * const info = { key: "k", size: 5, etag: "5d41402abc4b2a76b9719d911017c592", lastModified: new Date() };
 * const sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
 * const v = new Verifier(info, { uri: "s3://b/k", sha256 });
 * const h = v.hasher();
 * h.update(bytes);
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeFile(p, bytes);
 *   const got = await v.verify(p, h.finish(), new AbortController().signal);
 *   assert(got.md5 === info.etag && got.sha256 === sha256);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export class Verifier {
  /** What will be checked. */
  readonly plan: VerificationPlan;
  readonly #info: ObjectInfo;
  readonly #options: VerifierOptions;

  /** Plans the checks; throws `IntegrityError` when the response cannot be verified at all. */
  constructor(info: ObjectInfo, options: VerifierOptions) {
    this.#info = info;
    this.#options = options;
    if (options.allowUnverifiable !== true) {
      const reason = unverifiableReason(info);
      if (reason !== undefined) {
        throw new IntegrityError(
          `${options.uri}: refusing the store's answer: ${reason}, so its content cannot be ` +
            `verified (is the endpoint an S3 server, or a proxy or captive portal answering for it?)`,
        );
      }
    }
    const plan = planVerification(info, options.sha256?.toLowerCase());
    this.plan = options.pinOnly === true && plan.sha256 !== undefined
      ? { ...plan, segment: 0, pinOnly: true }
      : plan;
  }

  /**
   * Whether the whole-content MD5 is all that is checked (no part MD5s, no
   * SHA-256): then an MD5 known for the bytes may stand in for a hasher's.
   */
  get md5Only(): boolean {
    const plan = this.plan;
    return plan.kind === "md5" && plan.segment === Infinity && plan.sha256 === undefined &&
      !plan.pinOnly;
  }

  /** A one-pass hasher for bytes streamed from offset `start` (a segment boundary). */
  hasher(start = 0): StreamHasher {
    return new StreamHasher(
      this.plan.segment,
      start,
      this.plan.sha256 !== undefined && start === 0,
      this.#info.size - start,
    );
  }

  /**
   * Checks the file at `path` (the complete content) using what was
   * `computed` while streaming, hashing from the file what is missing.
   * Returns the digests established; throws `IntegrityError` on a mismatch.
   */
  async verify(path: string, given: Computed, signal: AbortSignal): Promise<Verified> {
    const settled = this.checkComputed(given);
    if (settled !== undefined) return settled;
    const computed = await this.#hashInOneRead(path, given, signal);
    // Pinned only: the SHA-256 below is the whole content check (see `pinOnly`).
    const out = this.plan.pinOnly ? {} : await this.#checkEtag(path, computed, signal);
    const sha = this.plan.sha256;
    if (sha !== undefined) {
      // The progress restarts from 0 only when the file is read.
      const read = () => ({ signal, ...this.#readOptions() });
      let actual = computed.sha256 ?? await sha256File(path, read());
      // Read back while other ranges were written: confirm from the finished file.
      if (actual !== sha && computed.readBack === true && computed.sha256 !== undefined) {
        actual = await sha256File(path, read());
      }
      if (actual !== sha && this.#options.recordedSha256 === true) {
        throw new IntegrityError(
          `${this.#options.uri}: content has SHA-256 ${actual}, but SHA-256 ${sha} was recorded ` +
            `when it was verified: the file changed since ${this.#where()}`,
        );
      }
      if (actual !== sha) {
        const uri = this.#options.uri;
        const head = `${this.#options.pinnedBy ?? uri}: ${uri} has SHA-256 ${actual}, but ` +
          `SHA-256 ${sha} is pinned`;
        // A download's bytes that do not match the store's own MD5 either
        // were damaged after the store took them (on the way, or its copy):
        // no replaced object, which a user would go looking for. Read again
        // only here. (Without `pinOnly` the ETag check above settled that.)
        const md5 = this.plan.pinOnly && this.plan.md5 !== undefined
          ? await md5File(path, read())
          : undefined;
        if (md5 !== undefined && md5 !== this.plan.md5) {
          throw new IntegrityError(
            `${head}, and they do not match the store's own MD5 ${this.plan.md5} either (got ` +
              `${md5}): damaged on the way or in the store's copy, not a replaced object ` +
              this.#where(),
          );
        }
        // The bytes are what the store holds (they match its own MD5, or
        // its ETag above): a lock entry edited by hand or taken from another
        // branch is likelier than a replaced object, and the user's to fix.
        const lockedIn = this.#options.lockedIn;
        const intact = md5 !== undefined || !this.plan.pinOnly;
        if (lockedIn === undefined) {
          const error = new IntegrityError(
            `${head}; the object in the store was replaced or corrupted${
              intact ? " (the bytes match the store's own MD5: it is what the store holds)" : ""
            }, nothing was cached ` + this.#where(),
          );
          // Another download would fetch the same bytes (`vc lock --check`,
          // which names no lock entry: it is the way out).
          if (intact) storeHolds.add(error);
          throw error;
        }
        const lastModified = this.#info.lastModified;
        const cause = intact
          ? `they match the store's own MD5, so the store holds what it was given: ${await lockMismatch(
            lockedIn,
            lastModified,
            "unless the object was replaced after it was locked",
          )}`
          : await lockMismatch(
            lockedIn,
            lastModified,
            "or the object in the store was replaced or corrupted",
          );
        const error = new IntegrityError(`${head}; nothing was cached ${this.#where()}: ${cause}`);
        // What the store holds: another download would fetch the same bytes.
        if (intact) storeHolds.add(error);
        throw error;
      }
      out.sha256 = actual;
    }
    return out;
  }

  /**
   * What {@linkcode Verifier.verify} returns (or throws) when `computed`
   * settles the check with no read of the file: an object whose ETag is
   * its MD5, hashed whole while it was written, with no SHA-256 pinned.
   * Undefined when the file must be read (call `verify`). A small
   * download's check, without the promise of an async call per object.
   */
  checkComputed(computed: Computed): Verified | undefined {
    const plan = this.plan;
    if (
      plan.kind !== "md5" || plan.sha256 !== undefined || plan.pinOnly ||
      computed.md5 === undefined || computed.readBack === true
    ) return undefined;
    if (computed.md5 !== plan.md5) throw this.#md5Mismatch(computed.md5);
    return { md5: computed.md5 };
  }

  // The IntegrityError of a content whose MD5 is `actual`, not the plan's.
  #md5Mismatch(actual: string): IntegrityError {
    const what = this.plan.kind === "md5"
      ? "its ETag: expected MD5"
      : "its vc-md5 metadata: expected";
    return new IntegrityError(
      `${this.#options.uri}: content does not match ${what} ${this.plan.md5}, got ${actual} ${this.#where()}`,
    );
  }

  /**
   * `computed` completed from one read of the file when the checks below
   * would otherwise read it twice: once for the MD5 (or the part MD5s of the
   * likeliest part size) and again for the SHA-256. A cached copy of a locked
   * version checked before it is copied out (`vc sync`, `vc get`, `vc cache
   * verify`) was read twice, seconds a GB each, its progress going 0→100%
   * twice. The bytes go through the same {@linkcode StreamHasher} a download
   * streams through, so what is compared, and every message, stay the same.
   */
  async #hashInOneRead(path: string, computed: Computed, signal: AbortSignal): Promise<Computed> {
    const plan = this.plan;
    if (plan.sha256 === undefined || computed.sha256 !== undefined || plan.pinOnly) return computed;
    const known = this.#options.knownPartSizes;
    // The segment #checkEtag would hash from the file first (0: none, or
    // recorded part sizes, which it reads on their own).
    const segment = plan.kind === "multipart"
      ? (computed.parts === undefined && (known === undefined || known.length === 0)
        ? plan.segment
        : 0)
      : plan.md5 !== undefined && computed.md5 === undefined
      ? Infinity
      : 0;
    if (segment === 0) return computed;
    const { hash } = await hashFileWith(
      path,
      (size) => new StreamHasher(segment, 0, true, size),
      { signal, ...this.#readOptions() },
    );
    return { ...computed, ...hash.finish() };
  }

  // md5File's and sha256File's options that report a read of the file to check it.
  #readOptions(): { onProgress?: (bytes: number) => void } {
    const onReadProgress = this.#options.onReadProgress;
    if (onReadProgress === undefined) return {};
    onReadProgress(0); // drawn from the start, not once the first 8 MiB are read
    return { onProgress: onReadProgress };
  }

  #where(): string {
    const dest = this.#options.dest;
    return `(${this.#info.size} bytes${dest === undefined ? "" : `, downloading to ${dest}`})`;
  }

  async #checkEtag(path: string, computed: Computed, signal: AbortSignal): Promise<Verified> {
    const plan = this.plan;
    const uri = this.#options.uri;
    const where = this.#where();
    if (plan.kind === "md5" || (plan.kind === "opaque" && plan.md5 !== undefined)) {
      let actual = computed.md5 ?? await md5File(path, { signal, ...this.#readOptions() });
      if (actual !== plan.md5 && computed.readBack === true) {
        actual = await md5File(path, { signal, ...this.#readOptions() });
      }
      if (actual !== plan.md5) throw this.#md5Mismatch(actual);
      return { md5: actual };
    }
    // An opaque ETag: the store's own checksum of the content when it keeps
    // one, else the size is all there is to compare. The MD5 of what arrived
    // is handed back, not compared: a record of it lets the local copy be
    // checked later.
    if (plan.kind === "opaque") {
      const out: Verified = computed.md5 !== undefined ? { md5: computed.md5 } : {};
      if (plan.checksum !== undefined) {
        await this.#checkChecksum(path, plan.checksum, computed, signal);
        out.checksumChecked = plan.checksum;
      } else if (plan.composite !== undefined) {
        const learned = await this.#checkComposite(path, plan.composite, signal);
        if (learned !== undefined) out.partSizes = learned;
      }
      return out;
    }
    const etag = normalizeEtag(this.#info.etag).toLowerCase();
    const size = this.#info.size;
    const first = computed.parts !== undefined ? multipartEtag(computed.parts) : undefined;
    if (first === etag) return {};
    const tried = first !== undefined ? [first] : [];
    const known = this.#options.knownPartSizes;
    if (known !== undefined && known.length > 0) {
      const got = await multipartEtagOfFile(path, size, known, signal, this.#readOptions());
      if (got === etag) return { partSizes: [...known] };
      tried.push(got);
    }
    // The first guess of the part size was wrong (or not hashed): the other candidates, from disk.
    for (const partSize of plan.partSizes.slice(first !== undefined ? 1 : 0)) {
      const got = await multipartEtagOfFile(path, size, [partSize], signal, this.#readOptions());
      if (got === etag) return {};
      tried.push(got);
    }
    // No standard part size. The store's full-object checksum settles it with
    // one read of the file and no request (aws CLI v2 stores a CRC64NVME).
    if (plan.checksum !== undefined && plan.md5 === undefined) {
      await this.#checkChecksum(path, plan.checksum, computed, signal);
      return { checksumChecked: plan.checksum };
    }
    // Else ask the store for the real part sizes.
    const asked = await this.#learnPartSizes(signal);
    const learned = typeof asked === "string" ? undefined : asked;
    if (learned !== undefined) {
      const got = await multipartEtagOfFile(path, size, learned, signal, this.#readOptions());
      if (got === etag) return { partSizes: compactSizes(learned) };
      tried.push(got);
    }
    if (plan.md5 !== undefined) {
      const actual = await md5File(path, { signal, ...this.#readOptions() });
      if (actual === plan.md5) return { md5: actual };
      throw new IntegrityError(
        `${uri}: content matches neither its ETag ${etag} nor its vc-md5 ${plan.md5} (got ${actual}) ${where}`,
      );
    }
    // The recorded sizes were tried too (and are what a cached copy was
    // verified with): a message without them reads as if vc never tried them.
    const recorded = known !== undefined && known.length > 0
      ? `recorded part sizes ${summarizeSizes([...known])}, `
      : "";
    const sizes = learned !== undefined
      ? `${recorded}real part sizes ${summarizeSizes(learned)}`
      : `${recorded}part sizes tried: ${plan.partSizes.join(", ") || "none fits"}`;
    if (typeof asked === "string") {
      // The part sizes stayed unknown: the bytes may be intact, uploaded with
      // parts of other sizes (a tool's own part size, uneven parts). Saying
      // they "do not match" sent users hunting for damage that was not there.
      throw new IntegrityError(
        `${uri}: cannot verify its content: its multipart ETag ${etag} (${plan.parts} parts) ` +
          `fits none of the usual part sizes (${sizes}), and ${asked}: the object was ` +
          `likely uploaded in parts of other sizes (or its bytes are damaged), and is not ` +
          `used unverified; uploaded again in parts of 8 MiB (as aws s3 cp does) or with ` +
          `vc, which records its MD5, it can be verified ${where}`,
      );
    }
    throw new IntegrityError(
      `${uri}: content does not match its multipart ETag: expected ${etag}, got ${
        [...new Set(tried)].join(" or ") || "nothing comparable"
      } (${sizes}) ${where}`,
    );
  }

  /** Checks the file against the store's full-object checksum; `IntegrityError` naming both. */
  async #checkChecksum(
    path: string,
    checksum: ObjectChecksum,
    computed: Computed,
    signal: AbortSignal,
  ): Promise<void> {
    const read = () => ({ signal, ...this.#readOptions() });
    let actual = await checksumFile(path, checksum.algorithm, read());
    // Read back while other ranges were written: confirm from the finished file.
    if (actual !== checksum.value && computed.readBack === true) {
      actual = await checksumFile(path, checksum.algorithm, read());
    }
    if (actual === checksum.value) return;
    throw new IntegrityError(
      `${this.#options.uri}: content does not match the store's ${checksum.algorithm} checksum ` +
        `(x-amz-checksum-${checksum.algorithm.toLowerCase()}): expected ${checksum.value}, got ` +
        `${actual} ${this.#where()}`,
    );
  }

  /**
   * Checks the file against the store's COMPOSITE checksum: the parts'
   * checksums, with the recorded or usual part sizes first, else the
   * store's real ones (`HEAD ?partNumber=N`). Returns the learned sizes when
   * those were needed. When no part size fits and the store cannot tell
   * them, the size stays the only check, as it was (the bytes may be intact,
   * uploaded in parts of other sizes); with the real sizes a mismatch is an
   * `IntegrityError` naming both checksums.
   */
  async #checkComposite(
    path: string,
    checksum: ObjectChecksum,
    signal: AbortSignal,
  ): Promise<number[] | undefined> {
    const size = this.#info.size;
    const of = (sizes: readonly number[]) =>
      compositeChecksumOfFile(path, size, sizes, checksum, signal, this.#readOptions());
    const known = this.#options.knownPartSizes;
    const tries: (readonly number[])[] = [
      ...(known !== undefined && known.length > 0 ? [known] : []),
      ...candidatePartSizes(size, this.plan.parts).map((p) => [p]),
    ];
    for (const sizes of tries) {
      if (await of(sizes) === checksum.value) return undefined;
    }
    const learned = await this.#learnPartSizes(signal);
    if (typeof learned === "string") return undefined;
    const actual = await of(learned);
    if (actual === checksum.value) return compactSizes(learned);
    const name = checksum.algorithm.toLowerCase();
    throw new IntegrityError(
      `${this.#options.uri}: content does not match the store's COMPOSITE ${checksum.algorithm} ` +
        `checksum (x-amz-checksum-${name}, of its ${this.plan.parts} parts' ${checksum.algorithm}s): ` +
        `expected ${checksum.value}, got ${actual} (real part sizes ${summarizeSizes(learned)}) ` +
        this.#where(),
    );
  }

  /** The real part sizes from the store, or why it could not tell them (for the message). */
  async #learnPartSizes(signal: AbortSignal): Promise<number[] | string> {
    const source = this.#options.partSize;
    const parts = this.plan.parts;
    const untold = "the store does not tell the size of a part";
    if (source === undefined || parts < 1 || parts > 10_000) return untold;
    let first: number | undefined;
    try {
      first = await source(1, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      return `${untold} (asking for part 1 failed: ${(e as Error).message})`;
    }
    if (first === undefined || first <= 0) {
      return `${untold} (HEAD ?partNumber=1 is not supported)`;
    }
    const sizes: number[] = [first];
    // Ask for each part: uneven parts (5/7/3 MiB) are legal. Eight at a time.
    const { mapLimit } = await import("./pool.ts");
    try {
      const rest = await mapLimit(
        Array.from({ length: parts - 1 }, (_, i) => i + 2),
        8,
        async (n) => await source(n, signal),
        { signal },
      );
      for (const [i, s] of rest.entries()) {
        if (s === undefined) return `${untold} (it gave no size for part ${i + 2})`;
        sizes.push(s);
      }
    } catch (e) {
      if (signal.aborted) throw e;
      return `${untold} (asking for a part's size failed: ${(e as Error).message})`;
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total === this.#info.size) return sizes;
    // S3-compatible stores that ignore `partNumber` answer for the whole object.
    if (first === this.#info.size) {
      return `${untold}: it ignores HEAD ?partNumber=N, answering the whole object's size`;
    }
    return `the part sizes the store gave add up to ${total} bytes, not the object's ` +
      `${this.#info.size} (was it replaced meanwhile?)`;
  }
}

/**
 * Uniform parts (all equal but a shorter last one) need only the first size;
 * an empty last part is kept, as a repeated size never ends in one.
 */
function compactSizes(sizes: number[]): number[] {
  const first = sizes[0]!;
  const uniform = sizes.every((s, i) =>
    i === sizes.length - 1 ? s <= first && (s > 0 || i === 0) : s === first
  );
  return uniform ? [first] : sizes;
}

function summarizeSizes(sizes: number[]): string {
  return sizes.length <= 6
    ? sizes.join(", ")
    : `${sizes.slice(0, 5).join(", ")}, … (${sizes.length} parts)`;
}

/**
 * Whether a download of `info` is checked against a hash of its content (its
 * MD5 or multipart ETag, a `vc-md5`, or a pinned `sha256`), not its size
 * alone: an opaque ETag (SSE-KMS, SSE-C, a store's own) without `vc-md5`
 * checks only the size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksContent } from "./verify.ts";
 * const base = { key: "k", size: 1, lastModified: new Date() };
 * assert(checksContent({ ...base, etag: "0cc175b9c0f1b6a831c399e269772661" }));
 * assert(!checksContent({ ...base, etag: "v1-opaque" }));
 * assert(!checksContent({ ...base, etag: "0cc175b9c0f1b6a831c399e269772661", opaqueEtag: true }));
 * assert(checksContent({ ...base, etag: "v1-opaque" }, "ab".repeat(32)));
 * ```
 */
export function checksContent(info: ObjectInfo, sha256?: string): boolean {
  const plan = planVerification(info, sha256);
  return plan.kind !== "opaque" || plan.md5 !== undefined || sha256 !== undefined ||
    plan.checksum !== undefined;
}

/** The store's checksum of the whole content, when it gave one (a COMPOSITE one is of the parts). */
function fullChecksumOf(info: ObjectInfo): ObjectChecksum | undefined {
  const c = info.checksum;
  return c !== undefined && c.type === "FULL_OBJECT" ? c : undefined;
}

/** Plans what can be checked for an object (see {@linkcode VerificationPlan}). */
function planVerification(info: ObjectInfo, sha256: string | undefined): VerificationPlan {
  const vcMd5 = vcMd5Of(info);
  const none = { sha256, partSizes: [], parts: 0, pinOnly: false };
  // Size, and vc-md5 when present, else the store's checksum (full-object,
  // or composite part by part). The MD5 is computed either way: recorded, it
  // checks the local copy later.
  const opaque = (): VerificationPlan => ({
    kind: "opaque",
    md5: vcMd5,
    segment: Infinity,
    ...none,
    ...checksumOf(info, vcMd5),
    ...compositeOf(info, vcMd5),
  });
  // The store says this ETag is no content hash (S3 SSE-KMS / SSE-C).
  if (info.opaqueEtag === true) return opaque();
  const parsed = parseEtag(info.etag);
  if (parsed.kind === "md5") {
    return { kind: "md5", md5: parsed.md5, segment: Infinity, ...none };
  }
  if (parsed.kind === "multipart") {
    const partSizes = candidatePartSizes(info.size, parsed.parts);
    return {
      kind: "multipart",
      md5: vcMd5,
      sha256,
      partSizes,
      parts: parsed.parts,
      segment: partSizes[0] ?? 0,
      pinOnly: false,
      ...checksumOf(info, vcMd5),
    };
  }
  // An opaque strong ETag: the same as above.
  return opaque();
}

// The plan's `composite` and its part count: only where neither an MD5 nor a
// full-object checksum is known. CRC64NVME has no composite form.
function compositeOf(
  info: ObjectInfo,
  md5: string | undefined,
): { composite?: ObjectChecksum; parts?: number } {
  const c = info.checksum;
  if (md5 !== undefined || c === undefined || c.type !== "COMPOSITE") return {};
  const parts = Number(/-(\d{1,5})$/.exec(c.value)?.[1] ?? NaN);
  if (!(parts >= 1 && parts <= 10_000) || c.algorithm === "CRC64NVME") return {};
  return { composite: c, parts };
}

/**
 * A COMPOSITE checksum (`<Base64>-N`) of a file in parts of the given sizes
 * (the last repeats), as S3 makes it for a multipart upload: the
 * algorithm's checksum of the parts' binary checksums joined in order.
 */
async function compositeChecksumOfFile(
  path: string,
  size: number,
  partSizes: readonly number[],
  checksum: ObjectChecksum,
  signal: AbortSignal,
  read: { onProgress?: (bytes: number) => void } = {},
): Promise<string> {
  const digests: Uint8Array[] = [];
  let i = 0;
  for (let start = 0; start < size;) {
    const partSize = partSizes[Math.min(i++, partSizes.length - 1)]!;
    if (!(partSize > 0)) break;
    const length = Math.min(partSize, size - start);
    const from = start;
    const onProgress = read.onProgress;
    const hasher = await checksumHasher(checksum.algorithm);
    await hashFileWith(path, () => hasher, {
      start,
      length,
      signal,
      ...(onProgress ? { onProgress: (bytes: number) => onProgress(from + bytes) } : {}),
    });
    digests.push(Uint8Array.fromBase64(hasher.base64()));
    start += length;
  }
  const whole = await checksumHasher(checksum.algorithm);
  whole.update(concatBytes(digests));
  return `${whole.base64()}-${digests.length}`;
}

// The plan's `checksum`: only where no MD5 is known, so an object with one
// (the usual case) costs nothing more.
function checksumOf(info: ObjectInfo, md5: string | undefined): { checksum?: ObjectChecksum } {
  const checksum = md5 === undefined ? fullChecksumOf(info) : undefined;
  return checksum === undefined ? {} : { checksum };
}

/**
 * Multipart ETag of a file split into parts of the given sizes; the last size
 * repeats (one size = uniform parts).
 */
async function multipartEtagOfFile(
  path: string,
  size: number,
  partSizes: readonly number[],
  signal: AbortSignal,
  read: { onProgress?: (bytes: number) => void } = {},
): Promise<string> {
  const parts: string[] = [];
  let i = 0;
  // Past the last byte, sizes still listed are empty parts (an empty last part).
  for (let start = 0; start < size || (i > 0 && i < partSizes.length && partSizes[i] === 0);) {
    signal.throwIfAborted();
    const partSize = partSizes[Math.min(i++, partSizes.length - 1)]!;
    const length = Math.min(partSize, size - start);
    const onProgress = read.onProgress;
    const from = start;
    parts.push(
      await md5File(path, {
        start,
        length,
        ...(onProgress ? { onProgress: (bytes: number) => onProgress(from + bytes) } : {}),
      }),
    );
    start += length;
  }
  if (parts.length === 0) parts.push(await md5File(path, { length: 0 }));
  return multipartEtag(parts);
}

/**
 * Hashes a byte stream in one pass: MD5s of consecutive fixed-size segments
 * (`segment` = Infinity: one MD5 of everything; 0: none) and, when asked, the
 * SHA-256 of everything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamHasher } from "./verify.ts";
 * const h = new StreamHasher(Infinity, 0, true);
 * h.update(new TextEncoder().encode("a"));
 * const c = h.finish();
 * assert(c.md5 === "0cc175b9c0f1b6a831c399e269772661");
 * assert(c.sha256?.startsWith("ca978112ca1bbdca"));
 * ```
 */
export class StreamHasher {
  readonly #segment: number;
  // Whether the bytes are hashed in TypeScript (see md5_js.ts): a process
  // filling a cache with a few megabytes of small objects never loads
  // node:crypto.
  readonly #small: boolean;
  #hash: Digest | undefined;
  #sha: Digest | undefined;
  #filled = 0;
  #index: number;
  #out: string[] = [];

  /**
   * Hashes bytes starting at offset `start` (a segment boundary); `size`:
   * how many bytes will come, when known (small ones are hashed in
   * TypeScript).
   */
  constructor(segment: number, start: number, sha256: boolean, size = Infinity) {
    this.#segment = segment;
    this.#small = (segment > 0 || sha256) && claimJsHashing(size);
    this.#hash = segment > 0 ? this.#newMd5() : undefined;
    if (sha256) this.#sha = digestIn("sha256", this.#small);
    this.#index = segment === Infinity || segment <= 0 ? 0 : start / segment;
  }

  /** Takes the next bytes. */
  update(chunk: Uint8Array): void {
    this.#sha?.update(chunk);
    if (this.#hash === undefined) return;
    let off = 0;
    while (off < chunk.length) {
      const room = this.#segment - this.#filled;
      const n = Math.min(room, chunk.length - off);
      this.#hash.update(n === chunk.length ? chunk : chunk.subarray(off, off + n));
      this.#filled += n;
      off += n;
      if (this.#filled === this.#segment) this.#flush(true);
    }
  }

  /** Completes the last, possibly short, segment and returns what was computed. */
  finish(): Computed {
    const out: Computed = {};
    if (this.#sha !== undefined) out.sha256 = this.#sha.digest("hex");
    if (this.#hash === undefined) return out;
    if (this.#filled > 0 || this.#index === 0 && this.#out.length === 0) this.#flush(false);
    if (this.#segment === Infinity) {
      if (this.#out[0] !== undefined) out.md5 = this.#out[0];
    } else {
      out.parts = this.#out;
    }
    return out;
  }

  #newMd5(): Digest {
    return digestIn("md5", this.#small);
  }

  #flush(more: boolean): void {
    this.#out[this.#index++] = this.#hash!.digest("hex");
    // The next segment's hash, only when bytes may follow.
    if (more) this.#hash = this.#newMd5();
    this.#filled = 0;
  }
}

/** What {@linkcode checkFile} and {@linkcode fileChecker} compare a file with. */
export interface ExpectedFile {
  size: number;
  etag: string;
  md5?: string;
  /**
   * The SHA-256 recorded when the file's content was verified: then the
   * size and this SHA-256 are the whole check, as for a download pinned by
   * a lock entry. The ETag is not derived again: a multipart ETag of parts
   * no usual size explains (and a store that is not asked) could not be,
   * and the SHA-256 finds any change the ETag would.
   */
  sha256?: string;
  partSizes?: readonly number[];
  /**
   * The store's full-object checksum the content was verified with: checked
   * when the ETag and an MD5 cannot be (a multipart ETag no part sizes explain).
   */
  checksum?: Omit<ObjectChecksum, "type">;
  metadata?: Record<string, string>;
  /** The ETag is not a hash of the content (SSE-KMS, SSE-C): not compared. */
  opaqueEtag?: boolean;
}

/** Options of {@linkcode checkFile} and {@linkcode fileChecker}. */
export interface FileCheckOptions {
  signal?: AbortSignal;
  partSize?: PartSizeSource;
  /** Told how much of the file is read (a check that reads it again starts from 0). */
  onProgress?: (progress: { bytes: number; total: number }) => void;
}

/**
 * The check of {@linkcode checkFile} split around a stream of the bytes:
 * `hasher` hashes them as they are written elsewhere (a copy out of the
 * cache), and `check` compares the written file with `expected` from those
 * hashes, reading it only for what they cannot settle (another part size).
 * `uri` names the file in messages.
 * So a copy is checked, and its SHA-256 taken, in the one read that copies it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileChecker } from "./verify.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   const bytes = new TextEncoder().encode("hello");
 *   await Deno.writeFile(p, bytes);
 *   const etag = "5d41402abc4b2a76b9719d911017c592";
 *   const checker = fileChecker({ size: 5, etag }, { uri: p });
 *   const h = checker.hasher(true, 5);
 *   h.update(bytes);
 *   const computed = h.finish();
 *   assert.equal(await checker.check(p, computed, 5), undefined);
 *   assert(computed.sha256?.startsWith("2cf24dba5fb0a30e"));
 *   assert.match((await checker.check(p, computed, 4))!, /size is 4/);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export function fileChecker(
  expected: ExpectedFile,
  options: FileCheckOptions & { uri: string },
): {
  hasher(sha256: boolean, size: number): StreamHasher;
  check(path: string, computed: Computed, size: number): Promise<string | undefined>;
} {
  const metadata = { ...expected.metadata };
  if (expected.md5 !== undefined) metadata["vc-md5"] = expected.md5;
  const info: ObjectInfo = {
    key: "",
    size: expected.size,
    etag: expected.etag,
    lastModified: new Date(0),
    metadata,
  };
  if (expected.opaqueEtag === true) info.opaqueEtag = true;
  if (expected.checksum !== undefined) {
    info.checksum = { ...expected.checksum, type: "FULL_OBJECT" };
  }
  const verifierOptions: VerifierOptions = { uri: options.uri, allowUnverifiable: true };
  if (expected.sha256 !== undefined) {
    verifierOptions.sha256 = expected.sha256;
    verifierOptions.pinOnly = true;
    verifierOptions.recordedSha256 = true;
  }
  if (options.partSize !== undefined) verifierOptions.partSize = options.partSize;
  if (expected.partSizes !== undefined) verifierOptions.knownPartSizes = expected.partSizes;
  const onProgress = options.onProgress;
  if (onProgress !== undefined) {
    verifierOptions.onReadProgress = (bytes) => onProgress({ bytes, total: expected.size });
  }
  const verifier = new Verifier(info, verifierOptions);
  const plan = verifier.plan;
  // Part sizes recorded for the entry, when even: the segments the ETag is made of.
  const known = expected.partSizes?.length === 1 ? expected.partSizes[0]! : undefined;
  const segment = plan.kind === "multipart" && known !== undefined && !plan.pinOnly
    ? known
    : plan.segment;
  return {
    hasher: (sha256, size) =>
      new StreamHasher(segment, 0, sha256 || plan.sha256 !== undefined, size),
    check: async (path, computed, size) => {
      if (size !== expected.size) return `size is ${size}, expected ${expected.size}`;
      try {
        await verifier.verify(path, computed, options.signal ?? new AbortController().signal);
        return undefined;
      } catch (e) {
        if (e instanceof IntegrityError) return e.message;
        throw e;
      }
    },
  };
}

/**
 * Checks a local file against what a store said about an object: size, then
 * MD5 / multipart ETag, or `md5` (e.g. a recorded `vc-md5`) for opaque
 * ETags, and `sha256` when given. Returns the reason when it does not match,
 * `undefined` when it does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFile } from "./verify.ts";
 * const p = await Deno.makeTempFile();
 * try {
 *   await Deno.writeTextFile(p, "hello");
 *   assert(await checkFile(p, { size: 5, etag: "5d41402abc4b2a76b9719d911017c592" }) === undefined);
 *   assert(await checkFile(p, { size: 6, etag: "x" }) !== undefined);
 * } finally {
 *   await Deno.remove(p);
 * }
 * ```
 */
export async function checkFile(
  path: string,
  expected: ExpectedFile,
  options: FileCheckOptions = {},
): Promise<string | undefined> {
  const stat = await Deno.stat(path);
  return await fileChecker(expected, { ...options, uri: path }).check(path, {}, stat.size);
}

/**
 * Whether the local `file` has the multipart ETag of `info` (the object at
 * `key` of `store`, uploaded in parts by a tool that left no content MD5):
 * standard part sizes first, then the sizes the store tells
 * (`HEAD ?partNumber=N`). A file that cannot be read, or an ETag no part
 * sizes explain, is not the same. `read.onProgress` is told how much of the
 * file is read (each part size tried reads it again, from 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileHasMultipartEtag } from "./verify.ts";
 * import { FsStore } from "./store/fs.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new FsStore(`${dir}/store`);
 * try {
 *   await Deno.writeTextFile(`${dir}/f`, "hello");
 *   // "hello" uploaded as one part: md5(md5("hello")), then the part count.
 *   const info = { size: 5, etag: "62109206880d38a4010a98e11243924a-1" };
 *   assert.equal(await fileHasMultipartEtag(store, "k", `${dir}/f`, info), true);
 *   const other = { size: 5, etag: "a8da4c5fd8ba6e8ae7c0a02e6a1e6e9e-1" };
 *   assert.equal(await fileHasMultipartEtag(store, "k", `${dir}/f`, other), false);
 * } finally {
 *   await store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function fileHasMultipartEtag(
  store: ObjectStore,
  key: string,
  file: string,
  info: Pick<ObjectInfo, "size" | "etag">,
  read: { onProgress?: (bytes: number) => void } = {},
): Promise<boolean> {
  const partSize = store.partSize;
  const onRead = read.onProgress;
  const options = {
    ...(partSize === undefined ? {} : {
      partSize: (n: number, signal: AbortSignal) => partSize.call(store, key, n, { signal }),
    }),
    ...(onRead === undefined ? {} : { onProgress: (p: { bytes: number }) => onRead(p.bytes) }),
  };
  const problem = await checkFile(file, { size: info.size, etag: info.etag }, options)
    .catch((e) => `cannot check it: ${e}`);
  return problem === undefined;
}

/**
 * Mismatches whose bytes are what the store holds (they match its own MD5):
 * a download does not try them again.
 */
export const storeHolds: WeakSet<Error> = new WeakSet();

/**
 * What a pinned download that does not match its lock entry (`lockedIn`)
 * says of it. A store object changed (`lastModified`) in a second after the
 * lock file was last written (its mtime: `vc lock`, an edit, a checkout)
 * was replaced after it was locked: the entry is not blamed. Otherwise
 * {@linkcode lockEntryWrong} with `otherwise`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockMismatch } from "./verify.ts";
 * const file = await Deno.makeTempFile();
 * try {
 *   await Deno.utime(file, 0, new Date("2024-01-01T00:00:00Z"));
 *   const entry = { file, entry: "/a.csv@1.0.0" };
 *   const later = await lockMismatch(entry, new Date("2024-06-01T00:00:00Z"), "or not");
 *   assert.match(later, /it was replaced after "\/a\.csv@1\.0\.0" was locked/);
 *   const before = await lockMismatch(entry, new Date("2023-06-01T00:00:00Z"), "or not");
 *   assert.match(before, /is wrong/);
 * } finally {
 *   await Deno.remove(file);
 * }
 * ```
 */
export async function lockMismatch(
  lockedIn: { file: string; entry: string },
  lastModified: Date,
  otherwise: string,
): Promise<string> {
  const written = await Deno.stat(lockedIn.file).then((info) => info.mtime, () => null);
  // In whole seconds: S3 gives no finer time, a file system may keep none.
  const second = (date: Date) => Math.floor(date.getTime() / 1000);
  if (written === null || !(second(lastModified) > second(written))) {
    return lockEntryWrong(lockedIn, otherwise);
  }
  return `the object in the store changed (${lastModified.toISOString()}) after ` +
    `${lockedIn.file} was last written (${written.toISOString()}): it was replaced after ` +
    `${JSON.stringify(lockedIn.entry)} was locked, and the entry is likely right; put the ` +
    `locked content back in the store (where a copy is cached, it is the one to keep), or ` +
    `publish the right content as a new version (${UPDATE.library}) and pin that`;
}

/**
 * What a pinned download that does not match its lock entry says of the
 * entry: `lockedIn` named as wrong (edited by hand, taken from another
 * branch), with `otherwise` (the store's part in it), and the ways out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockEntryWrong } from "./verify.ts";
 * const said = lockEntryWrong({ file: "a.lock.json", entry: "/a.csv@1.0.0" }, "or not");
 * assert.match(said, /^the lock entry "\/a\.csv@1\.0\.0" in a\.lock\.json is wrong/);
 * ```
 */
export function lockEntryWrong(
  lockedIn: { file: string; entry: string },
  otherwise: string,
): string {
  return `the lock entry ${JSON.stringify(lockedIn.entry)} in ${lockedIn.file} is wrong ` +
    `(edited by hand, or taken from another branch) ${otherwise}: ${LOCK_CHECK.library} lists ` +
    "each entry the store does not hold as locked; take the lock file back from version " +
    `control, or delete the entry and run ${LOCK.library} to lock what the store holds now`;
}
