/**
 * What `Repository.adopt` checks of a content object before it records it:
 * that its key is one of the repository's content keys (never the marker, a
 * backup, the repository's own SQLite catalog or a writer's temp file), and
 * what the store says of its size and MD5 (a plain-MD5 ETag, else the MD5
 * its uploader kept in its metadata, or its bytes hashed when asked to,
 * checked against that metadata).
 *
 * @module
 */
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { Md5, parseEtag, statedMd5 } from "../hash.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { contentKeyProblem } from "./content_key.ts";

/** Options of `Repository.adopt`. */
export interface AdoptOptions {
  /** Tags of the new record. */
  tags?: readonly string[];
  /**
   * Download the object and hash it unless its ETag is its plain MD5 (a
   * multipart or SSE-KMS ETag): refused without this when no `vc-md5`
   * metadata states its MD5, as its MD5 is then known only by reading it
   * whole. Metadata that states one is checked against the bytes (an
   * uploader's word, not the store's), and refused when they differ.
   */
  hash?: boolean;
  /**
   * An object younger than this (ms; default gc's 7 days) is refused: most
   * likely an `add` in flight, which has uploaded it and not yet recorded
   * it (its record would then fail). Content gc keeps since a restore is
   * adopted whatever its age. 0 adopts any.
   */
  graceMs?: number;
  /** Progress of that download (called at its start and as it reads). */
  onHashProgress?: (progress: { bytes: number; total: number }) => void;
  /** Stops the adoption; nothing is recorded. */
  signal?: AbortSignal;
}

/**
 * `key` checked as an object to adopt in a repository whose content is
 * under `contentPrefix`, refused as an `InvalidInputError` saying why;
 * `ownFiles` are keys never to be recorded (the repository's SQLite catalog
 * when it lies under the prefix).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adoptableKey } from "./adopt.ts";
 * assert.equal(adoptableKey("content/0f/0f1e.csv", "content/", new Set()), "content/0f/0f1e.csv");
 * assert.throws(() => adoptableKey(".vc-repo.json", "content/", new Set()), /not under content\//);
 * assert.throws(() => adoptableKey("content/../x", "content/", new Set()), /not shaped like/);
 * ```
 */
export function adoptableKey(key: string, contentPrefix: string, ownFiles: Set<string>): string {
  if (typeof key !== "string") {
    throw new InvalidInputError(`Repository.adopt(): the key must be a string, got ${typeof key}`);
  }
  const shown = JSON.stringify(key);
  const problem = contentKeyProblem(key, contentPrefix);
  if (problem === "outside") {
    throw new InvalidInputError(
      `cannot adopt ${shown}: it is not under ${contentPrefix}, where the repository keeps its ` +
        "content (a record of it would let purge and gc delete an object that is not content)",
    );
  }
  if (problem === "shape") {
    throw new InvalidInputError(
      `cannot adopt ${shown}: it is not shaped like a content key vc writes ` +
        `(${contentPrefix}<name> or ${contentPrefix}<two hex digits>/<name>, a name of letters, ` +
        "digits, dots, dashes and underscores)",
    );
  }
  if (ownFiles.has(key)) {
    throw new InvalidInputError(
      `cannot adopt ${shown}: it is the repository's own SQLite catalog, not content`,
    );
  }
  return key;
}

/** What the store says of an object to adopt: its HEAD and its MD5. */
export interface AdoptedContent {
  /** The store's HEAD of it. */
  info: ObjectInfo;
  /** Its MD5 (hex). */
  md5: string;
}

/**
 * The size and MD5 of the object at `key` in `store`: the MD5 stated by its
 * ETag or metadata, else (with `hash`) its bytes hashed. A missing object is
 * a `NotFoundError`; one whose MD5 is not stated, without `hash`, an
 * `InvalidInputError` naming the option. `refuse` looks at the HEAD first
 * (and throws to refuse it).
 */
export async function adoptedContent(
  store: ObjectStore,
  key: string,
  options: Pick<AdoptOptions, "hash" | "onHashProgress" | "signal">,
  refuse: (info: ObjectInfo) => Promise<void> = async () => {},
): Promise<AdoptedContent> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const info = await store.head(key, signal);
  if (info === undefined) {
    throw new NotFoundError(`cannot adopt ${key}: no such object in ${store.url}`);
  }
  // Before any download to hash it.
  await refuse(info);
  const stated = statedMd5(info);
  if (stated !== undefined && (options.hash !== true || storeHashed(info))) {
    return { info, md5: stated };
  }
  if (options.hash !== true) {
    throw new InvalidInputError(
      `cannot adopt ${key}: the store states no MD5 of it (ETag ${JSON.stringify(info.etag)}, ` +
        "multipart or encrypted, and no vc-md5 metadata); pass the hash option to download " +
        `and hash its ${info.size} bytes`,
    );
  }
  const got = await store.get(key, signal);
  const hash = new Md5();
  let bytes = 0;
  options.onHashProgress?.({ bytes: 0, total: info.size });
  const take = (chunk: Uint8Array) => {
    hash.update(chunk);
    bytes += chunk.byteLength;
    options.onHashProgress?.({ bytes, total: info.size });
  };
  if (got.bytes !== undefined) take(got.bytes);
  else for await (const chunk of got.body) take(chunk);
  // Replaced between the HEAD and the read: the bytes are not the HEAD's.
  if (bytes !== info.size || (got.info.etag !== "" && got.info.etag !== info.etag)) {
    throw new InvalidInputError(
      `cannot adopt ${key}: it changed while it was hashed (${info.size} bytes, ETag ` +
        `${info.etag} at first; ${bytes} bytes read, ETag ${got.info.etag}): run again`,
    );
  }
  const md5 = hash.hex();
  // The uploader's metadata, asked to be checked: it is not the bytes'.
  if (stated !== undefined && stated !== md5) {
    throw new InvalidInputError(
      `cannot adopt ${key}: its metadata states MD5 ${stated}, but its ${bytes} bytes hash to ` +
        `${md5} (the metadata was edited, or copied from another object, or the bytes were ` +
        "changed behind it); nothing was recorded: put the object again with its true MD5, or " +
        "delete it",
    );
  }
  return { info, md5 };
}

/** Whether the store itself states `info`'s MD5: its ETag is its plain MD5. */
function storeHashed(info: ObjectInfo): boolean {
  return parseEtag(info.etag).kind === "md5" && info.opaqueEtag !== true;
}
