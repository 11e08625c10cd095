/**
 * A store opened from a URI, with the pending multipart uploads (their
 * abort, and when each last took a part) a test gives it, as an S3 store would list them: for repository
 * tests of `check` and `gc` that need uploads on a `file://` store.
 */
import { openStore } from "../src/store/open.ts";
import type { ObjectStore, PendingUpload } from "../src/store/types.ts";

/** An `openStore` for `Repository`: `uri`'s store, with `uploads` and `abort`. */
export function withUploads(
  uploads: () => AsyncIterable<PendingUpload>,
  abort: (upload: PendingUpload) => Promise<void> = () => Promise.resolve(),
  lastPartAt?: (upload: PendingUpload) => Promise<Date | undefined>,
): (uri: string) => Promise<ObjectStore> {
  return async (uri: string): Promise<ObjectStore> => {
    const store = await openStore(uri);
    return {
      url: store.url,
      head: store.head.bind(store),
      get: store.get.bind(store),
      put: store.put.bind(store),
      list: store.list.bind(store),
      delete: store.delete.bind(store),
      copy: store.copy.bind(store),
      close: store.close.bind(store),
      // By prefix, as S3 lists them (gc and check ask per prefix).
      pendingUploads: (prefix: string) => underPrefix(uploads(), prefix),
      abortUpload: abort,
      ...(lastPartAt === undefined ? {} : { lastPartAt }),
    };
  };
}

async function* underPrefix(
  uploads: AsyncIterable<PendingUpload>,
  prefix: string,
): AsyncIterable<PendingUpload> {
  for await (const upload of uploads) if (upload.key.startsWith(prefix)) yield upload;
}
