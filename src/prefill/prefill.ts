/**
 * Prefill: fill the asset cache ahead of time (typically in CI) with every
 * asset a manifest pins and any extra URIs, in parallel, attempting every item
 * and reporting every failure at the end.
 *
 * @module
 */
import type { AssetCache } from "../cache/asset_cache.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { forEachLimit } from "../pool.ts";
import { parseUri } from "../uri.ts";
import type { DownloadIntegrity } from "../store/download.ts";
import type { VersionedAsset, VersionedCache } from "../versioned/versioned_cache.ts";
import { listItem, parsePrefillItem, type PrefillListEntry } from "./list_file.ts";
import { cacheVersioned } from "../versioned/slash_keys.ts";

/** Progress of a prefill run. */
export interface PrefillProgress {
  /** Items finished (fetched, already cached or failed). */
  done: number;
  /** Items to do (after removing duplicates). */
  total: number;
  /** Bytes downloaded so far. */
  bytes: number;
  /** The item that last made progress. */
  current?: string;
}

/** Options for {@linkcode prefill}. */
export interface PrefillOptions {
  /** The cache to fill. */
  cache: AssetCache;
  /** Versioned caches whose manifest entries are all prefilled; the first also resolves versioned items in `uris`. */
  versioned?: readonly VersionedCache[] | undefined;
  /**
   * Extra items: `s3://` or `file://` URIs, or versioned paths (`/foo/bar.csv`, `/foo/bar.csv@1.2.5`).
   * Entries of `readListEntries` keep their list file and line, which their failures then name.
   */
  uris?: readonly (string | PrefillListEntry)[] | undefined;
  /** Downloads in flight at once. Default 16. */
  concurrency?: number | undefined;
  /** Called as items finish and bytes arrive. */
  onProgress?: ((progress: PrefillProgress) => void) | undefined;
  /** Stops starting new items and aborts those in flight; `prefill` then rejects with the reason. */
  signal?: AbortSignal | undefined;
}

/** One item that could not be prefilled. */
export interface PrefillFailure {
  /** The item as given (a URI or a versioned path), or the manifest that could not be read. */
  item: string;
  /**
   * Where the item came from: the list file of a `PrefillListEntry` (`<stdin>` for standard
   * input), or the manifest of a manifest entry (`item` is then the entry's path). Absent for a
   * plain string of `uris` and for a manifest that could not be read.
   */
  file?: string;
  /** The item's 1-based line number in {@linkcode PrefillFailure.file}, for a list file. */
  line?: number;
  /** Why it failed. */
  error: string;
  /** The name of the error's class (`NotFoundError`, `IntegrityError`, ...): what kind of failure. */
  errorName: string;
}

/** What a prefill run did. Exit non-zero when `failed` is not empty. */
export interface PrefillSummary {
  /** Distinct items attempted (including those that failed). */
  total: number;
  /** Items downloaded (or refreshed) by this run. */
  fetched: number;
  /** Items that were already in the cache and did not need a download. */
  alreadyCached: number;
  /** Every failure, in input order. */
  failed: PrefillFailure[];
  /** Bytes downloaded. */
  bytes: number;
  /** Wall-clock duration. */
  seconds: number;
}

/** The default number of downloads in flight. */
export const DEFAULT_PREFILL_CONCURRENCY = 16;

/** Where an item came from (a list file's line, a manifest), as a failure names it. */
type Source = { file?: string; line?: number };

interface Target {
  label: string;
  source: Source;
  uri: string;
  /** A version's `/` key, read when `uri` does not exist (`versioned/slash_keys.ts`). */
  slashedUri?: string;
  immutable: boolean;
  /** Pinned content (integrity lock entry), checked as the download enters the cache. */
  integrity?: DownloadIntegrity;
  /** Position in the input, so failures are reported in input order. */
  order: number;
}

/**
 * Fills `cache` with every entry of the given manifests and every extra item.
 * Identical items (after resolving versioned paths) are fetched once. Never
 * stops at the first failure: all items are attempted and all failures are
 * listed in the summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefill } from "./prefill.ts";
 * import { AssetCache } from "../cache/asset_cache.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/bucket`);
 *   await Deno.writeTextFile(`${dir}/bucket/a.txt`, "a");
 *   const cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
 *   const summary = await prefill({
 *     cache,
 *     uris: [`file://${dir}/bucket/a.txt`, `file://${dir}/bucket/missing.txt`],
 *   });
 *   assert(summary.fetched === 1 && summary.failed.length === 1);
 *   await cache.close();
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function prefill(options: PrefillOptions): Promise<PrefillSummary> {
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_PREFILL_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const signal = options.signal;
  signal?.throwIfAborted();

  const failed: Array<PrefillFailure & { order: number }> = [];
  const targets = await collectTargets(options, failed);
  signal?.throwIfAborted();

  const total = targets.length + failed.length;
  let done = failed.length;
  let bytes = 0;
  let fetched = 0;
  let alreadyCached = 0;
  const report = (current?: string) => {
    const progress: PrefillProgress = { done, total, bytes };
    if (current !== undefined) progress.current = current;
    options.onProgress?.(progress);
  };
  report();

  const run = async (target: Target) => {
    let seen = 0;
    try {
      const local = parseUri(target.uri).scheme === "local";
      if (local) {
        await assertLocalFile(target.uri);
        alreadyCached++;
        return;
      }
      // A download reports progress (an empty object too); a hit does not.
      // No stat of the local path first: on a cold run it fails for every
      // item, and a failed stat costs a thrown NotFound each.
      let downloaded = false;
      await cacheVersioned(options.cache, target, {
        ...(signal ? { signal } : {}),
        onProgress: (p) => {
          downloaded = true;
          // Progress is cumulative per item; count only what is new.
          bytes += p.bytes - seen;
          seen = p.bytes;
          report(target.label);
        },
      });
      if (downloaded) fetched++;
      else alreadyCached++;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      failed.push({
        item: target.label,
        ...target.source,
        ...failure(error),
        order: target.order,
      });
    } finally {
      done++;
      report(target.label);
    }
  };

  // An abort stops new items; those in flight settle before this rejects.
  await forEachLimit(targets, concurrency, run, signal ? { signal } : {});
  signal?.throwIfAborted();

  return {
    total,
    fetched,
    alreadyCached,
    failed: failed.sort((a, b) => a.order - b.order).map(({ order: _o, ...f }) => f),
    bytes,
    seconds: (performance.now() - started) / 1000,
  };
}

// Resolves every manifest entry and extra item to a URI, dropping duplicates
// and recording items that cannot even be resolved as failures.
async function collectTargets(
  options: PrefillOptions,
  failed: Array<PrefillFailure & { order: number }>,
): Promise<Target[]> {
  type Resolved = {
    uri: string;
    slashedUri?: string;
    immutable: boolean;
    integrity?: DownloadIntegrity;
  };
  const pending: Array<{ label: string; source: Source; resolve: () => Promise<Resolved> }> = [];
  // An entry repeated within a manifest or an item within the lists is one
  // item, named where it first appears. The same text in both may be two
  // objects (a manifest path may contain `@1.0.0`; a list item with it names
  // a version of another path): those meet only in the check by URI below.
  const seen = { manifest: new Set<string>(), list: new Set<string>() };
  const add = (
    from: keyof typeof seen,
    key: string,
    label: string,
    source: Source,
    resolve: () => Promise<Resolved>,
  ) => {
    if (seen[from].has(key)) return;
    seen[from].add(key);
    pending.push({ label, source, resolve });
  };

  for (const vc of options.versioned ?? []) {
    // One read of the manifest resolves every entry; resolving each path on
    // its own would look it up again per entry. An entry that cannot be
    // resolved (unlocked under --frozen) fails alone: the others are fetched.
    let assets: Array<VersionedAsset | { path: string; error: unknown }>;
    try {
      assets = await vc.resolveEach();
    } catch (error) {
      failed.push({ item: vc.manifest, ...failure(error), order: pending.length });
      continue;
    }
    for (const asset of assets) {
      // One path in two manifests may be two versions: two items, each
      // named with its manifest (the same version is one download, by URI).
      add(
        "manifest",
        `${vc.manifest}\0${asset.path}`,
        asset.path,
        { file: vc.manifest },
        () => "error" in asset ? Promise.reject(asset.error) : Promise.resolve(asset),
      );
    }
  }

  const first = options.versioned?.[0];
  for (const entry of options.uris ?? []) {
    const label = listItem(typeof entry === "string" ? entry : entry.item);
    const source: Source = typeof entry === "string" ? {} : { file: entry.file, line: entry.line };
    add("list", label, label, source, async () => {
      const parsed = parsePrefillItem(label);
      if (parsed.kind === "uri") return { uri: parsed.uri, immutable: false };
      if (first === undefined) {
        throw new InvalidInputError(
          `${label} is a versioned path, but no manifest was given to resolve it`,
        );
      }
      return await first.resolve(parsed.path, parsed.version);
    });
  }

  const resolved = await Promise.allSettled(pending.map((p) => p.resolve()));
  const targets: Target[] = [];
  const uris = new Set<string>();
  resolved.forEach((result, i) => {
    const label = pending[i]?.label ?? "";
    const source = pending[i]?.source ?? {};
    if (result.status === "rejected") {
      failed.push({ item: label, ...source, ...failure(result.reason), order: i });
      return;
    }
    // Two spellings of one object (e.g. `/a.csv` and `/a.csv@1.0.0`) are one download.
    if (uris.has(result.value.uri)) return;
    uris.add(result.value.uri);
    const { uri, slashedUri, immutable, integrity } = result.value;
    targets.push({
      label,
      source,
      uri,
      immutable,
      order: i,
      ...(slashedUri ? { slashedUri } : {}),
      ...(integrity ? { integrity } : {}),
    });
  });
  return targets;
}

async function assertLocalFile(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info?.isFile) throw new NotFoundError(`${path} does not exist or is not a file`);
}

/** The error's message and its class's name (`NotFoundError`, `IntegrityError`, ...). */
function failure(error: unknown): { error: string; errorName: string } {
  return error instanceof Error
    ? { error: error.message, errorName: error.name }
    : { error: String(error), errorName: "Error" };
}
