/**
 * After a restore, the catalog's records against the store's content. A
 * snapshot is older than the store: records purged since it was taken name
 * content that is gone, and records added since are not in it, so their
 * content is referenced by no record, and the next gc deletes it once it is
 * older than the grace period (a rebuilt damaged catalog cannot even count
 * them as dropped). Said in numbers, so an operator copies out or re-adds
 * what matters before a gc; `vc repo check` lists both.
 *
 * @module
 */
import type { ObjectStore } from "../store/types.ts";
import type { Catalog } from "./catalog.ts";
import { liveBatches, liveRecordCount } from "./gc.ts";

/** What the store holds that a restored catalog does not agree with. */
export interface ContentReconciliation {
  /** Restored records (not purged) whose content the store does not hold. */
  missingContent: number;
  /** Content objects no restored record references: gc deletes them after its grace period. */
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
  options: { signal?: AbortSignal; onListed?: (objects: number) => void } = {},
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
    for (const info of batch.objects) {
      if (batch.live.has(info.key)) listedLive++;
      else unreferencedContent++;
      options.onListed?.(++listed);
    }
  }
  return { missingContent: Math.max(0, live - listedLive), unreferencedContent };
}
