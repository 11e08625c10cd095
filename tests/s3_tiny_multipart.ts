/**
 * An S3 store's options that make a 4-byte body a multipart upload (and a
 * multipart copy), for the tests of what a lost completion answer does.
 *
 * @module
 */

/** Parts of 4 bytes from 4 bytes on, for upload and copy; 3 attempts per request. */
export const TINY_MULTIPART = {
  multipartThreshold: 4,
  partSize: 4,
  multipartCopyThreshold: 4,
  copyPartSize: 4,
  maxAttempts: 3,
};

/** Whether `req` completes a multipart upload (POST with an `uploadId`). */
export const isCompletion = (req: Request): boolean =>
  req.method === "POST" && new URL(req.url).searchParams.has("uploadId");
