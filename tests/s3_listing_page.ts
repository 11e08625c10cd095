/**
 * The ListObjects answer hand-made listing servers in tests give: one page
 * of `keys` (1-byte objects) under `prefix`, with a `<Marker>` when it
 * answers as ListObjects v1, and no continuation token (the servers these
 * tests stand for give none).
 */
export function listingPage(
  { prefix, marker, pageSize, truncated, keys }: {
    prefix: string;
    /** The `<Marker>` element's text, for a v1 answer; none for a v2 one. */
    marker?: string;
    pageSize: number;
    truncated: boolean;
    keys: string[];
  },
): Response {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>b</Name>` +
      `<Prefix>${escape(prefix)}</Prefix>${
        marker === undefined ? "" : `<Marker>${escape(marker)}</Marker>`
      }` +
      `<MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
        keys.map((k) =>
          `<Contents><Key>${escape(k)}</Key><LastModified>2026-01-02T03:04:05.000Z` +
          `</LastModified><ETag>"0123"</ETag><Size>1</Size></Contents>`
        ).join("")
      }</ListBucketResult>`,
    { headers: { "content-type": "application/xml" } },
  );
}
