/**
 * Adopting a bucket's keys in another tool's naming (`d/t-1.0.0.csv`,
 * `v1.2.0/d/t.csv`, as {@linkcode namedOtherwise} finds them) in bulk: each
 * copied, in the bucket, to the key vc reads that version from, so a team
 * moving to vc need not type one `aws s3 cp` a version.
 *
 * @module
 */
import { PreconditionFailedError } from "../errors.ts";
import { sameVersion } from "../cache/entry_index.ts";
import { digestFor, normalizeEtag } from "../hash.ts";
import type { ObjectInfo, ObjectStore } from "../store/types.ts";
import { mapLimit } from "../pool.ts";
import { compareUtf8 } from "../utf8.ts";
import { allOtherNamings, type OtherNaming } from "./case_twin.ts";
import { firstNamed } from "./helpers.ts";
import { foreignVersionOf } from "./naming.ts";
import { headVersion } from "./slash_keys.ts";
import { compareVersions } from "./version.ts";

/** HEADs of one version's keys in flight at once. */
const HEADS_AT_ONCE = 8;

/** One version of a path found in another naming, and what became of it. */
export interface AdoptedVersion extends OtherNaming {
  /**
   * `copied` (now at `vcKey`), `planned` (a dry run: it would be),
   * `present` (`vcKey` already held the same bytes: nothing to do) or
   * `conflict` (not copied: see `problem`).
   */
  status: "copied" | "planned" | "present" | "conflict";
  /** Why a `conflict` was not copied. */
  problem?: string;
}

/** Options of {@linkcode adoptOtherNamings}. */
export interface AdoptOptions {
  /** Find and check, copy nothing: the versions it would copy are `planned`. */
  dryRun?: boolean;
  /**
   * The bucket's listing to share between calls (one per store): the first
   * call reads it, the others reuse it.
   */
  dirs?: Map<string, Promise<readonly string[]>>;
  /** Stops the listing, the reads and the copies in flight. */
  signal?: AbortSignal;
  /** Called for each bucket key the listing reads (minutes of them in a big bucket). */
  onListed?: () => void;
}

/**
 * Copies every key of `store` that looks like a version of normalized
 * `path` in another tool's naming to vc's key for that version, lowest
 * version first, never over a key already there (`If-None-Match: *`): one
 * already holding the same bytes is `present`, one holding others a
 * `conflict`, as is a version several keys look like with different bytes
 * (the choice of the one to copy is yours). Reads the store's whole listing
 * (a release folder may be anywhere above the path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adoptOtherNamings } from "./adopt.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * await using store = new MemoryStore();
 * await store.put("d/t-1.0.0.csv", new TextEncoder().encode("a"));
 * await store.put("v1.1.0/d/t.csv", new TextEncoder().encode("b"));
 * const done = await adoptOtherNamings(store, "/d/t.csv");
 * assert.deepEqual(done.map((v) => [v.version, v.vcKey, v.status]), [
 *   ["1.0.0", "d/t.1.0.0.csv", "copied"],
 *   ["1.1.0", "d/t.1.1.0.csv", "copied"],
 * ]);
 * assert.equal((await adoptOtherNamings(store, "/d/t.csv"))[0]?.status, "present");
 * ```
 */
export async function adoptOtherNamings(
  store: ObjectStore,
  path: string,
  options: AdoptOptions = {},
): Promise<AdoptedVersion[]> {
  const signal = options.signal;
  const found = await allOtherNamings(store, path, {
    ...(options.dirs === undefined ? {} : { dirs: options.dirs }),
    ...(signal === undefined ? {} : { signal }),
    ...(options.onListed === undefined ? {} : { onListed: options.onListed }),
  });
  const byVersion = new Map<string, OtherNaming[]>();
  const lowestFirst = found.toSorted((a, b) =>
    compareVersions(a.version, b.version) || compareUtf8(a.key, b.key)
  );
  for (const o of lowestFirst) byVersion.set(o.version, [...byVersion.get(o.version) ?? [], o]);
  const head = async (key: string) => await store.head(key, signal === undefined ? {} : { signal });
  // The key vc reads the version from: its own, else its `/` key
  // (`/d/t.1.0.0.csv`, as baiji-pod wrote it), which a copy to its own key
  // would shadow, changing the bytes of a version the bucket holds.
  const held = async (version: string) =>
    await headVersion(store, path, version, signal === undefined ? {} : { signal });
  const out: AdoptedVersion[] = [];
  for (const group of byVersion.values()) {
    // Keys in a folder named as the key of a version the bucket holds
    // (`d/t.1.0.0.csv/…` beside `d/t.1.0.0.csv`, a version unpacked beside
    // itself, thousands of keys maybe): a folder like any other, no HEAD each.
    if (
      group.every((o) => foreignVersionOf(o.key, path)?.folder !== undefined) &&
      await held(group[0]!.version) !== undefined
    ) continue;
    // A few at a time: a folder named as a version's key may hold thousands.
    const infos = (await mapLimit(group, HEADS_AT_ONCE, (o) => head(o.key)))
      .flatMap((info, i) => info === undefined ? [] : [{ ...group[i]!, info }]);
    const first = infos[0];
    if (first === undefined) continue; // deleted since the listing
    const keys = firstNamed(infos.map((o) => o.key));
    // Already there (adopted before, or copied by hand): the key among them
    // that holds its bytes, else a conflict.
    const settled = async (there: ObjectInfo): Promise<AdoptedVersion> => {
      for (const { info, ...o } of infos) {
        if (await allSame(store, [there, info], signal)) return { ...o, status: "present" };
      }
      const { info: _, ...o } = first;
      return {
        ...o,
        status: "conflict",
        problem: `${there.key} already holds other bytes than ${keys}, which vc reads as ` +
          `${o.version}; left as it is`,
      };
    };
    const there = (await held(first.version))?.info;
    if (there !== undefined) {
      out.push(await settled(there));
      continue;
    }
    if (infos.length > 1 && !(await allSame(store, infos.map((o) => o.info), signal))) {
      for (const { info: _, ...o } of infos) {
        out.push({
          ...o,
          status: "conflict",
          problem: `${infos.length} keys look like ${o.version} with different bytes (${keys}); ` +
            `copy the one you mean to ${o.vcKey}`,
        });
      }
      continue;
    }
    const { info, ...o } = first;
    if (options.dryRun) {
      out.push({ ...o, status: "planned" });
      continue;
    }
    try {
      await store.copy(o.key, o.vcKey, {
        ifNoneMatch: "*",
        ...(signal === undefined ? {} : { signal }),
        // The version the HEAD found; none to name without an ETag (a
        // gateway that strips it).
        ...(normalizeEtag(info.etag) === ""
          ? {}
          : { source: { etag: info.etag, size: info.size } }),
      });
      out.push({ ...o, status: "copied" });
    } catch (error) {
      // Another writer's copy (or publish) got there first, or the source
      // was replaced since its HEAD (its ETag no longer the one found).
      if (!(error instanceof PreconditionFailedError)) throw error;
      const there = await head(o.vcKey);
      out.push(
        there !== undefined ? await settled(there) : {
          ...o,
          status: "conflict",
          problem: `${o.key} changed while it was adopted (another writer replaced it); ` +
            "left as it is: run it again to adopt it as it is now",
        },
      );
    }
  }
  return out;
}

// Whether the objects hold the same bytes: their sizes and ETags alike, or
// (a copy of a multipart upload has another ETag; a gateway may strip it)
// their sizes alike and their SHA-256.
async function allSame(
  store: ObjectStore,
  all: readonly ObjectInfo[],
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (all.every((i) => sameVersion(i, all[0]!))) return true;
  if (all.some((i) => i.size !== all[0]!.size)) return false;
  const hashes = new Set<string>();
  for (const info of all) {
    const digest = digestFor("sha256", info.size);
    const { body } = await store.get(info.key, signal === undefined ? {} : { signal });
    for await (const chunk of body) digest.update(chunk);
    hashes.add(digest.digest("hex"));
  }
  return hashes.size === 1;
}
