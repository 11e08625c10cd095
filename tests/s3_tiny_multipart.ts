/**
 * An S3 store's options that make a 4-byte body a multipart upload (and a
 * multipart copy), for the tests of what a lost completion answer does, and
 * a proxy handler that loses one.
 *
 * @module
 */
import { errorXml } from "./s3_proxy.ts";

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

/**
 * A proxy handler for a multipart completion that landed but whose answer was
 * lost, and whose key could not be read back: the first completion is
 * forwarded and answered 500, the SDK's repeat is answered `repeat` (what S3
 * says to it: 404 NoSuchUpload, or 412 for a create-only one), and once the
 * repeat was sent, a HEAD of `key` answers `status` (denied, or a server
 * error on every attempt). `seen` counts the completions and those HEADs.
 */
export function lostCompletionUnreadable(
  key: string,
  status: 403 | 503,
  repeat: () => Response,
): {
  seen: { completions: number; heads: number };
  handler: (req: Request, forward: () => Promise<Response>) => Promise<Response>;
} {
  const seen = { completions: 0, heads: 0 };
  const handler = async (req: Request, forward: () => Promise<Response>) => {
    const url = new URL(req.url);
    if (req.method === "HEAD" && url.pathname.endsWith(`/${key}`) && url.search === "") {
      // Only once the completion was sent again: a copy HEADs its source first.
      if (seen.completions < 2) return await forward();
      seen.heads++;
      return new Response(null, { status });
    }
    if (!isCompletion(req)) return await forward();
    seen.completions++;
    if (seen.completions === 1) {
      // Completed, its answer lost.
      await (await forward()).body?.cancel();
      return new Response(errorXml("InternalError", "answer lost"), { status: 500 });
    }
    await req.body?.cancel();
    return repeat();
  };
  return { seen, handler };
}
