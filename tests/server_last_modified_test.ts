/**
 * Downloads carry `Last-Modified` (the upload's time, a minute after its
 * second has passed) and answer `If-Modified-Since` with 304, as `curl -z FILE` and
 * `wget -N` ask: before, no date was sent and every such client downloaded
 * the whole file again. An ETag stays the exact validator: If-None-Match
 * wins over the date, and a date in If-Range never selects a range.
 */
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";
import { LAST_MODIFIED_SETTLE_MS } from "../src/server/last_modified.ts";

/** An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) in RFC 850's form. */
function rfc850(date: string): string {
  const d = new Date(Date.parse(date));
  const day = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const [, dd, mon, yyyy, time] = date.split(" ");
  return `${day[d.getUTCDay()]}, ${dd}-${mon}-${yyyy!.slice(2)} ${time} GMT`;
}

/** An IMF-fixdate in asctime's form (`Sun Nov  6 08:49:37 1994`). */
function asctime(date: string): string {
  const [wkday, dd, mon, yyyy, time] = date.split(" ");
  return `${wkday!.slice(0, 3)} ${mon} ${String(Number(dd)).padStart(2, " ")} ${time} ${yyyy}`;
}

/** Past the wait before a new upload's date is sent. */
const SETTLED = 1000 + LAST_MODIFIED_SETTLE_MS;

Deno.test("Last-Modified is sent once the upload has settled, the same on GET and HEAD", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { lm: 1 })).doc.cache_id as string;
  const url = `${t.url}/v1/cache/${id}`;
  const uploadedAt = t.clock.now();
  assertEquals((await upload(t.url, alice, id, "first")).status, 200);
  // Within the upload's second a date could name another upload of that second too.
  const early = await fetch(url, { headers: { authorization: alice } });
  assertEquals([early.status, await early.text()], [200, "first"]);
  assertEquals(early.headers.get("last-modified"), null);

  // Nor just after it: the switch of a file uploaded then may still be under way.
  await t.clock.advance(1000);
  const soon = await fetch(url, { method: "HEAD", headers: { authorization: alice } });
  assertEquals(soon.headers.get("last-modified"), null);
  await t.clock.advance(SETTLED - 1000);
  const date = new Date(Math.floor(uploadedAt / 1000) * 1000).toUTCString();
  for (const method of ["GET", "HEAD"]) {
    const res = await fetch(url, { method, headers: { authorization: alice } });
    await res.body?.cancel();
    assertEquals([res.status, res.headers.get("last-modified")], [200, date], method);
  }
});

Deno.test("If-Modified-Since answers 304 for a file not replaced since, on GET and HEAD", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { lm: 2 })).doc.cache_id as string;
  const url = `${t.url}/v1/cache/${id}`;
  assertEquals((await upload(t.url, alice, id, "first")).status, 200);
  await t.clock.advance(120_000);
  const got = await fetch(url, { headers: { authorization: alice } });
  assertEquals(await got.text(), "first");
  const date = got.headers.get("last-modified")!;
  const etag = got.headers.get("etag")!;
  const later = new Date(Date.parse(date) + 60_000).toUTCString();
  // A date past the service's clock (a client's clock running ahead) is ignored.
  const future = new Date(t.clock.now() + 3_600_000).toUTCString();
  const earlier = new Date(Date.parse(date) - 1000).toUTCString();
  const cases: [Record<string, string>, number][] = [
    [{ "if-modified-since": date }, 304],
    [{ "if-modified-since": later }, 304],
    [{ "if-modified-since": earlier }, 200],
    [{ "if-modified-since": "not a date" }, 200],
    // The obsolete forms a recipient must read (RFC 9110 5.6.7).
    [{ "if-modified-since": rfc850(date) }, 304],
    [{ "if-modified-since": asctime(date) }, 304],
    [{ "if-modified-since": future }, 200],
    // The ETag decides when both are sent (RFC 9110 13.2.2).
    [{ "if-modified-since": date, "if-none-match": '"other"' }, 200],
    [{ "if-modified-since": earlier, "if-none-match": etag }, 304],
  ];
  for (const [conditions, status] of cases) {
    for (const method of ["GET", "HEAD"]) {
      const res = await fetch(url, { method, headers: { authorization: alice, ...conditions } });
      const body = await res.text();
      const what = `${method} ${JSON.stringify(conditions)}`;
      assertEquals(res.status, status, what);
      assertEquals(body, status === 200 && method === "GET" ? "first" : "", what);
      if (status === 304) assertEquals(res.headers.get("last-modified"), date, what);
    }
  }

  // Replaced later: the old date no longer matches.
  await t.clock.advance(5000);
  assertEquals((await upload(t.url, alice, id, "second")).status, 200);
  await t.clock.advance(SETTLED);
  const replaced = await fetch(url, {
    headers: { authorization: alice, "if-modified-since": date },
  });
  assertEquals([replaced.status, await replaced.text()], [200, "second"]);
  assertEquals(Date.parse(replaced.headers.get("last-modified")!) > Date.parse(date), true);
});

Deno.test("a date in If-Range selects the whole file, never a range", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { lm: 3 })).doc.cache_id as string;
  const url = `${t.url}/v1/cache/${id}`;
  assertEquals((await upload(t.url, alice, id, "0123456789")).status, 200);
  await t.clock.advance(SETTLED);
  const head = await fetch(url, { method: "HEAD", headers: { authorization: alice } });
  const date = head.headers.get("last-modified")!;
  const res = await fetch(url, {
    headers: { authorization: alice, range: "bytes=5-", "if-range": date },
  });
  assertEquals([res.status, await res.text()], [200, "0123456789"]);
});

Deno.test("If-Unmodified-Since refuses (412) a read, an upload or a DELETE of a file uploaded after its date", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { lm: 4 })).doc.cache_id as string;
  const url = `${t.url}/v1/cache/${id}`;
  assertEquals((await upload(t.url, alice, id, "first")).status, 200);
  await t.clock.advance(SETTLED);
  const seen = await fetch(url, { method: "HEAD", headers: { authorization: alice } });
  const date = seen.headers.get("last-modified")!;
  const etag = seen.headers.get("etag")!;
  const before = new Date(Date.parse(date) - 1000).toUTCString();
  const cases: [Record<string, string>, number][] = [
    [{ "if-unmodified-since": date }, 200],
    [{ "if-unmodified-since": before }, 412],
    [{ "if-unmodified-since": "not a date" }, 200],
    // Not an HTTP-date, though Date.parse reads it as the year 2000.
    [{ "if-unmodified-since": "0" }, 200],
    [{ "if-unmodified-since": asctime(before) }, 412],
    // If-Match decides when both are sent (RFC 9110 13.2.2).
    [{ "if-unmodified-since": before, "if-match": etag }, 200],
  ];
  for (const [conditions, status] of cases) {
    for (const method of ["GET", "HEAD"]) {
      const res = await fetch(url, { method, headers: { authorization: alice, ...conditions } });
      await res.body?.cancel();
      assertEquals(res.status, status, `${method} ${JSON.stringify(conditions)}`);
    }
  }

  // Replaced a second later, unseen by the client: its date no longer holds,
  // also before the new file's date is sent.
  await t.clock.advance(1000);
  assertEquals((await upload(t.url, alice, id, "second")).status, 200);
  const write = (method: string, body: FormData | null = null) =>
    fetch(url, { method, body, headers: { authorization: alice, "if-unmodified-since": date } });
  const form = new FormData();
  form.append("file", new Blob(["third"]), "out.txt");
  const refusedUpload = await write("POST", form);
  assertEquals([refusedUpload.status, refusedUpload.headers.get("etag") !== null], [412, true]);
  await refusedUpload.body?.cancel();
  const refusedDelete = await write("DELETE");
  assertEquals(refusedDelete.status, 412);
  await refusedDelete.body?.cancel();
  const kept = await fetch(url, { headers: { authorization: alice } });
  assertEquals([kept.status, await kept.text()], [200, "second"]);
  // A date no earlier than the stored file's upload lets the DELETE through.
  await t.clock.advance(1000);
  const now = new Date(t.clock.now()).toUTCString();
  const deleted = await fetch(url, {
    method: "DELETE",
    headers: { authorization: alice, "if-unmodified-since": now },
  });
  assertEquals(deleted.status, 200);
  await deleted.body?.cancel();
});
