/**
 * The refused pinned download the integrity tests share: key `k` downloaded
 * against a pin (size and SHA-256, labelled `/k@1.0.0`) that it does not
 * match.
 *
 * @module
 */
import { type DownloadOptions, downloadToFile } from "../src/store/download.ts";
import type { DownloadIntegrity } from "../src/store/download.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { IntegrityError } from "../src/errors.ts";
import { sha256Hex } from "../src/hash.ts";
import { assertRejects } from "./assert.ts";

const MiB = 1024 * 1024;

/**
 * Downloads `k` of `store` to `dest` in 1 MiB parts (with `options`, e.g.
 * its `parallelThreshold`), pinned to `pinned`'s size and SHA-256 as
 * `/k@1.0.0`. It must be refused with an `IntegrityError` naming that label;
 * returns the error and the pin, for the caller's assertions on what it says.
 */
export async function refusedPinnedDownload(
  store: ObjectStore,
  dest: string,
  pinned: Uint8Array,
  options: Omit<DownloadOptions, "integrity" | "partSize">,
): Promise<{ error: IntegrityError; pin: DownloadIntegrity }> {
  const pin = { size: pinned.length, sha256: sha256Hex(pinned), label: "/k@1.0.0" };
  const error = await assertRejects(
    () => downloadToFile(store, "k", dest, { ...options, partSize: MiB, integrity: pin }),
    IntegrityError,
    "/k@1.0.0",
  );
  return { error, pin };
}
