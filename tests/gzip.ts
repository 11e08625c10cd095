/**
 * gzip and gunzip for tests that build or read snapshots and bodies, through
 * the Web's `CompressionStream` (what vc itself reads them with).
 *
 * @module
 */

/** `data` (text as UTF-8) gzipped. */
export async function gzip(data: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return await new Response(stream).bytes();
}

/** The text of gzipped `bytes`. */
export async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return await new Response(stream).text();
}
