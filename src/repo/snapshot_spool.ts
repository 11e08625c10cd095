/**
 * A snapshot to restore, copied to a private temp file as it is read: the
 * restore checks it as it arrives (an answer that is no snapshot is refused
 * after its first bytes, not after all of them), then reads its rows again
 * from the file as it writes them. No snapshot is held in memory whole,
 * whatever its size (a 4 GiB answer took 8.4 GB of RAM when it was).
 *
 * @module
 */
import { makeScratchDir, scratchSpaceError } from "../scratch_dir.ts";
import type { StoreOptions } from "../store/open.ts";
import type { ObjectStore } from "../store/types.ts";
import { IntegrityError } from "../errors.ts";
import { unverifiableReason } from "../verify.ts";
import { downloadObjectUri, openObjectUri } from "./object_uri.ts";

/** A snapshot being read; disposing of it removes its copy. */
export interface SnapshotSpool extends AsyncDisposable {
  /** The snapshot's bytes as they are downloaded, copied to the file as they pass. */
  first: ReadableStream<Uint8Array>;
  /** The copy's bytes, read from the start, once `first` was read to its end. */
  again(): Promise<ReadableStream<Uint8Array>>;
  /**
   * Downloads the snapshot again in place of the copy, verified against
   * what the store states of it (its ETag, `vc-md5`, size) and fetched
   * again while its bytes come damaged (see `downloadToFile`), for `first`
   * and `again` to read: when the first reading found the snapshot damaged,
   * the download may be what was. `undefined` when the store's first answer
   * carried nothing to verify it against (no ETag). Throws
   * `IntegrityError` when the bytes never matched, saying so.
   */
  verified(): Promise<
    {
      first: ReadableStream<Uint8Array>;
      again(): Promise<ReadableStream<Uint8Array>>;
    } | undefined
  >;
}

/**
 * Opens the snapshot at `uri` to read it once as it downloads and again
 * from a temp file in `TMPDIR` (removed on dispose; one a killed restore
 * left is removed by the next). `onBytes` hears the bytes read and the
 * size the store states.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spoolSnapshot } from "./snapshot_spool.ts";
 * import { writeObjectUri } from "./object_uri.ts";
 * import { openStore } from "../store/open.ts";
 * const dir = await Deno.makeTempDir();
 * await writeObjectUri(`${dir}/b.gz`, new Uint8Array([1, 2, 3]), openStore);
 * {
 *   await using spool = await spoolSnapshot(`${dir}/b.gz`, openStore);
 *   assert.deepEqual([...await new Response(spool.first).bytes()], [1, 2, 3]);
 *   assert.deepEqual([...await new Response(await spool.again()).bytes()], [1, 2, 3]);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function spoolSnapshot(
  uri: string,
  open: (uri: string, options?: StoreOptions) => Promise<ObjectStore>,
  options: { signal?: AbortSignal; onBytes?: (bytes: number, total: number) => void } = {},
): Promise<SnapshotSpool> {
  const scratch = await makeScratchDir("vc-restore-");
  const path = `${scratch.path}/snapshot.jsonl.gz`;
  let file: Deno.FsFile | undefined;
  let object: Awaited<ReturnType<typeof openObjectUri>> | undefined;
  const dispose = async () => {
    file?.close();
    file = undefined;
    await object?.[Symbol.asyncDispose]();
    object = undefined;
    await scratch[Symbol.asyncDispose]();
  };
  try {
    object = await openObjectUri(uri, open, options.signal);
    file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    const { size, info } = object;
    let copied = 0;
    const copy = new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        try {
          for (let at = 0; at < chunk.length;) at += await file!.write(chunk.subarray(at));
        } catch (error) {
          throw scratchSpaceError(error, `copying ${uri} (${copied} bytes so far)`, path);
        }
        copied += chunk.length;
        options.onBytes?.(copied, size);
        controller.enqueue(chunk);
      },
      flush() {
        file?.close();
        file = undefined;
      },
    });
    const again = async () => (await Deno.open(path, { read: true })).readable;
    return {
      first: object.body.pipeThrough(copy),
      again,
      verified: async () => {
        if (unverifiableReason(info) !== undefined) return undefined;
        file?.close();
        file = undefined;
        await object?.[Symbol.asyncDispose]();
        object = undefined;
        let downloaded: number;
        try {
          ({ size: downloaded } = await downloadObjectUri(uri, open, path, options));
        } catch (error) {
          if (!(error instanceof IntegrityError)) throw error;
          throw new IntegrityError(
            `the download of snapshot ${uri} was damaged (its bytes do not match what the ` +
              `store states of the object), not read as a backup: ${error.message}; nothing ` +
              "was restored: run the restore again (if it persists, check what stands between " +
              "vc and the store, e.g. a proxy)",
            { cause: error },
          );
        }
        // Read again as the first read was, counted: a large snapshot's
        // check is seconds of a bar that would sit at 100% otherwise.
        let read = 0;
        const counted = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.length;
            options.onBytes?.(read, downloaded);
            controller.enqueue(chunk);
          },
        });
        return { first: (await again()).pipeThrough(counted), again };
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
