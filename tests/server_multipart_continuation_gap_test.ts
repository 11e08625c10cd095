/**
 * RFC 2231 filename continuations that skip a number, or do not start at 0,
 * are refused (400). They were read up to the first missing number, or
 * ignored without a `filename*0`, so the service stored another name than
 * Python's `email` package (which joins every piece it finds) and Werkzeug
 * read from the same header: `filename*0="report.exe"; filename*2=".txt"`
 * was stored as `report.exe` where those parsers see `report.exe.txt`, and
 * `filename="safe.txt"; filename*1="x.exe"` as `safe.txt`. Like a parameter
 * given twice, an ambiguous name is refused rather than guessed, and nothing
 * is stored.
 */
import { HttpError } from "../src/server/http_error.ts";
import { parseDisposition } from "../src/server/multipart.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const GAPPED = [
  [`form-data; name="file"; filename*0="report.exe"; filename*2=".txt"`, '"filename*1"'],
  [`form-data; name="file"; filename="safe.txt"; filename*1="x.exe"`, '"filename*0"'],
  [
    `form-data; name="file"; filename*0*=utf-8''a; filename*1*=b; filename*3*=d.txt`,
    '"filename*2"',
  ],
] as const;

Deno.test("multipart: filename continuations that skip a number are refused, not cut", () => {
  for (const [value, missing] of GAPPED) {
    const e = assertThrows(() => parseDisposition(value), HttpError);
    assertEquals(e.status, 400, value);
    assertStringIncludes(e.message, missing);
  }
  // Whole runs still join, in any order.
  assertEquals(
    parseDisposition(`form-data; name="file"; filename*1=".txt"; filename*0="report"`).filename,
    "report.txt",
  );
});

Deno.test("upload: a filename with a gap in its continuations stores nothing", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: "gap" })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "previous")).status, 200);
  const body = `--b\r\nContent-Disposition: ${GAPPED[0][0]}\r\n\r\nnew bytes\r\n--b--\r\n`;
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": "multipart/form-data; boundary=b" },
    body,
  });
  assertEquals(res.status, 400);
  assertStringIncludes((await res.json()).error, '"filename*1"');
  const after = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await after.text(), "previous");
});
