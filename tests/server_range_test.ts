/**
 * Issue 10, Range edges over real HTTP: suffix ranges, several ranges,
 * beyond the end, and invalid specs (ignored: the whole file, RFC 9110).
 */
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("Range edge cases of GET /v1/cache/<id>", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { purpose: "range" })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "0123456789")).status, 200);
  const cases: [string, number, string, string | null][] = [
    ["bytes=-3", 206, "789", "bytes 7-9/10"],
    ["bytes=-20", 206, "0123456789", "bytes 0-9/10"],
    ["bytes=9-", 206, "9", "bytes 9-9/10"],
    ["bytes=2-999999999999999999999", 206, "23456789", "bytes 2-9/10"],
    ["bytes=0-0,5-6", 200, "0123456789", null],
    ["bytes=5-3", 200, "0123456789", null], // invalid: ignored
    ["items=0-1", 200, "0123456789", null],
    // RFC 9110: the unit is case-insensitive, the set a list (empty elements, spaces).
    ["Bytes=2-4", 206, "234", "bytes 2-4/10"],
    ["BYTES=-3", 206, "789", "bytes 7-9/10"],
    ["bytes=2-4,", 206, "234", "bytes 2-4/10"],
    ["bytes=, 2-4 ,", 206, "234", "bytes 2-4/10"],
    ["bytes=,", 200, "0123456789", null],
    ["bytes=10-", 416, "", "bytes */10"],
    ["bytes=-0", 416, "", "bytes */10"],
  ];
  for (const [range, status, body, contentRange] of cases) {
    const res = await fetch(`${svc.url}/v1/cache/${id}`, {
      headers: { authorization: token, range },
    });
    const text = await res.text();
    assertEquals(res.status, status, range);
    if (status !== 416) assertEquals(text, body, range);
    assertEquals(res.headers.get("content-range"), contentRange, range);
  }
});

Deno.test("Range on an empty file: a non-zero suffix is the whole (empty) file, 200; any other range 416", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { purpose: "empty range" })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "")).status, 200);
  const cases: [string, number, string | null][] = [
    ["bytes=-1", 200, null],
    ["bytes=-1024", 200, null],
    ["bytes=-0", 416, "bytes */0"],
    ["bytes=0-", 416, "bytes */0"],
    ["bytes=0-0", 416, "bytes */0"],
  ];
  for (const [range, status, contentRange] of cases) {
    const res = await fetch(`${svc.url}/v1/cache/${id}`, {
      headers: { authorization: token, range },
    });
    const text = await res.text();
    assertEquals(res.status, status, range);
    if (status === 200) assertEquals(text, "", range);
    assertEquals(res.headers.get("content-range"), contentRange, range);
  }
});
