/**
 * A listing page is read in one pass over its entries. Each entry's fields
 * (`<Key>`, `<Size>`, `<LastModified>`, `<ETag>`) were looked up from the
 * entry's start through the rest of the page, not only the entry: an entry
 * without one (a server that leaves out ETag or LastModified, or a hostile
 * one) had every entry scan the whole rest of the page, twice per field.
 * Reading a page was quadratic in its size: 40,000 such entries (2 MB) took
 * two minutes, and a page at the 32 MiB cap hours, with no byte arriving
 * late for a timeout to notice. Uploads listings (`<Upload>` without
 * `<Initiated>`) were read the same way.
 *
 * The first page below took about half an hour before (150,000 entries); it is
 * read at once now. (No time is asserted: a hang fails the run.)
 */
import { assertEquals } from "./assert.ts";
import { parseListObjectsV2 } from "../src/store/s3_list.ts";
import { parseListMultipartUploads } from "../src/store/s3_uploads_list.ts";

const ENTRIES = 150_000;

Deno.test("a listing page of entries without ETag or LastModified is read in one pass", () => {
  const entries = Array.from(
    { length: ENTRIES },
    (_, i) => `<Contents><Key>k${i}</Key><Size>${i}</Size></Contents>`,
  ).join("");
  const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ` +
    `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>` +
    `<IsTruncated>false</IsTruncated>${entries}</ListBucketResult>`;
  const page = parseListObjectsV2(xml);
  assertEquals(page.objects.length, ENTRIES);
  assertEquals(page.objects[ENTRIES - 1]!.key, `k${ENTRIES - 1}`);
  assertEquals(page.objects[ENTRIES - 1]!.size, ENTRIES - 1);
  assertEquals(page.objects[0]!.etag, "");
  // A field of a later entry is never taken for an earlier one's.
  const mixed = parseListObjectsV2(
    xml.replace("</ListBucketResult>", "") +
      `<Contents><Key>z</Key><Size>1</Size><ETag>"e"</ETag></Contents></ListBucketResult>`,
  );
  assertEquals(mixed.objects[0]!.etag, "");
  assertEquals(mixed.objects[ENTRIES]!.etag, "e");
});

Deno.test("an uploads listing of entries without Initiated is read in one pass", () => {
  const n = ENTRIES / 3;
  const entries = Array.from(
    { length: n },
    (_, i) => `<Upload><Key>k${i}</Key><UploadId>u${i}</UploadId></Upload>`,
  ).join("");
  const xml = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult ` +
    `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>` +
    `<IsTruncated>false</IsTruncated>${entries}</ListMultipartUploadsResult>`;
  const page = parseListMultipartUploads(xml);
  assertEquals(page.uploads.length, n);
  assertEquals(page.uploads[n - 1]!.uploadId, `u${n - 1}`);
});
