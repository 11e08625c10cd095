/**
 * Aborting a multipart upload that failed. The abort is what keeps its parts
 * from being billed; when it fails too (the store down for good, no
 * `s3:AbortMultipartUpload`) the upload stays open, and the failure's
 * message says so and how to abort it, rather than leave it unseen.
 */
import { causeChain, NotFoundError, VcError } from "../errors.ts";
import { shellWord } from "../shell_word.ts";

/**
 * Runs `abort` for the upload `uploadId` of `uri`, which failed with
 * `error`. When the abort fails (but for a `NotFoundError`: nothing is left
 * open), a vc error's message gets what was left and the command that
 * aborts it (with `--endpoint-url` for a store's `endpoint` that is not
 * AWS, which the aws CLI would not know of from vc's settings); any other
 * error (a caller's abort reason) is left untouched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortFailedUpload } from "./upload_abort.ts";
 * import { StoreError } from "../errors.ts";
 * const error = new StoreError("UploadPart 2 s3://b/k failed: 500");
 * await abortFailedUpload(() => Promise.reject(new Error("503 SlowDown")), "u1", "s3://b/k", error);
 * assert(error.message.includes("--upload-id u1"));
 * ```
 */
export async function abortFailedUpload(
  abort: () => Promise<void>,
  uploadId: string,
  uri: string,
  error: unknown,
  endpoint?: string,
): Promise<void> {
  try {
    await abort();
  } catch (abortError) {
    if (!(error instanceof VcError) || abortError instanceof NotFoundError) return;
    error.message +=
      `; its multipart upload could not be aborted either (${
        causeChain(abortError)
      }), so its parts stay in the store, billed, until it is: ${
        abortCommand(uri, uploadId, endpoint)
      }, ` +
      "or a lifecycle rule AbortIncompleteMultipartUpload";
  }
}

function abortCommand(uri: string, uploadId: string, endpoint: string | undefined): string {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/s.exec(uri);
  if (s3 === null) return `abort upload ${uploadId} of ${uri}`;
  return `aws s3api abort-multipart-upload --bucket ${shellWord(s3[1]!)} --key ${
    shellWord(s3[2]!)
  } --upload-id ${shellWord(uploadId)}${
    endpoint === undefined ? "" : ` --endpoint-url ${shellWord(endpoint)}`
  }`;
}
