/**
 * After a restore, the catalog's records against the store's content. A
 * snapshot is older than the store: records purged since it was taken name
 * content that is gone, and records added since are not in it, so their
 * content is referenced by no record (a rebuilt damaged catalog cannot even
 * count them as dropped). Said in numbers, and the unreferenced content is
 * marked in the catalog (`restored_unknown`), so gc keeps it until released
 * (`releaseRestored`): an operator copies out or re-adds what matters first;
 * `vc repo check` lists both.
 *
 * @module
 */
import type { ObjectStore } from "../store/types.ts";
import type { Catalog, Tx } from "./catalog.ts";
import {
  GC_MARK_SLACK_MS,
  liveBatches,
  liveRecordCount,
  purgedKeysAmong,
  RESTORED_MARK_KEY,
} from "./gc.ts";

/** What the store holds that a restored catalog does not agree with. */
export interface ContentReconciliation {
  /** Restored records (not purged) whose content the store does not hold. */
  missingContent: number;
  /**
   * Content objects no restored record references (but for those a purged
   * record names, which its purge left: orphans gc deletes past its grace).
   */
  unreferencedContent: number;
  /** Why the two counts are missing: the store could not be listed (or the restore was stopped). */
  contentUnchecked?: string;
}

/**
 * Lists `store`'s content under `prefix` once and compares it with the
 * content keys of `catalog`'s records that are not purged.
 */
export async function reconcileContent(
  catalog: Catalog,
  store: ObjectStore,
  prefix: string,
  options: {
    signal?: AbortSignal;
    onListed?: (objects: number) => void;
    /** Each unreferenced object's store time (ms), for {@linkcode markRestoredUnknown}. */
    onUnreferenced?: (lastModified: number) => void;
  } = {},
): Promise<ContentReconciliation> {
  // Counted, then each batch of the listing looked up (never every key held
  // at once): the restore has just written the catalog, and nothing of vc
  // writes to it meanwhile but a writer started since.
  const live = await liveRecordCount(catalog);
  let listedLive = 0;
  let unreferencedContent = 0;
  let listed = 0;
  const listing = store.list(prefix, {
    etags: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const batch of liveBatches(catalog, listing)) {
    // What a purge left (a gc killed before its delete) is no content the
    // snapshot does not know: not counted, nor kept by the mark.
    const unnamed = batch.objects.filter((info) => !batch.live.has(info.key)).map((i) => i.key);
    const purged = unnamed.length === 0
      ? new Set<string>()
      : await catalog.transaction("read", (tx) => purgedKeysAmong(tx, unnamed));
    for (const info of batch.objects) {
      if (batch.live.has(info.key)) listedLive++;
      else if (!purged.has(info.key)) {
        unreferencedContent++;
        options.onUnreferenced?.(info.lastModified.getTime());
      }
      options.onListed?.(++listed);
    }
  }
  return { missingContent: Math.max(0, live - listedLive), unreferencedContent };
}

/**
 * Marks in `catalog` the content a restore found unreferenced, for gc to
 * keep (see `restoredMark` in gc.ts): everything in the store up to the
 * store's time of the newest such object (`unreferencedUntil`). A
 * store that could not be listed marks everything up to now (and a clock
 * slack): what the restore could not look at is kept too. A restore that
 * found every object referenced clears the mark (the latest snapshot
 * restored after an older one).
 */
export async function markRestoredUnknown(
  catalog: Catalog,
  found: Partial<ContentReconciliation>,
  unreferencedUntil: number | undefined,
  now: number,
): Promise<void> {
  const until = found.contentUnchecked !== undefined ? now + GC_MARK_SLACK_MS : unreferencedUntil;
  await catalog.transaction(
    "write",
    (tx) =>
      until === undefined
        ? tx.query("DELETE FROM vc_meta WHERE key = $1", [RESTORED_MARK_KEY])
        : markInTransaction(tx, until),
  );
}

/**
 * Marks, in the restore's own transaction, everything in the store up to
 * `now` (and a clock slack) for gc to keep, as a store that could not be
 * listed is: the catalog commits without the records added since the
 * snapshot, and the store is listed only after that commit (minutes for a
 * large bucket), so a gc meanwhile, or after a restore killed then, would
 * find their content unreferenced and no mark. {@linkcode markRestoredUnknown}
 * narrows the mark once the listing is done.
 */
export async function markAllRestoredUnknown(tx: Tx, now: number): Promise<void> {
  await markInTransaction(tx, now + GC_MARK_SLACK_MS);
}

async function markInTransaction(tx: Tx, until: number): Promise<unknown> {
  return await tx.query(
    "INSERT INTO vc_meta (key, value) VALUES ($1, $2) " +
      "ON CONFLICT (key) DO UPDATE SET value = $2",
    [RESTORED_MARK_KEY, String(until)],
  );
}
