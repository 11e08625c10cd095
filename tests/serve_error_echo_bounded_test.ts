/**
 * The request values an error answer names (the path of a 404, the method
 * of a 405, a Content-Type, Content-Encoding, Transfer-Encoding or Range it
 * refuses) were quoted whole, in the answer and in the access log's
 * `"error"`: a client, before any token is checked, wrote 60 KB into the
 * operator's log per request with a 60 KB path. They are now cut as every
 * other quoted input is (its ends and its length), as the cache ID already
 * was.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const LONG = "q".repeat(20_000);
// An answer or log line naming a cut value is a few hundred bytes.
const MAX_LINE = 1_000;

Deno.test("an error answer and its log line name a long request value cut", async () => {
  await using t = await startService();
  const { doc } = await newCacheId(t.url, t.tokens.alice, { tool: "t" });
  const id = doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "abc")).status, 200);
  const alice = { authorization: t.tokens.alice };
  const json = { ...alice, "content-type": "application/json" };
  const cases: [string, string, RequestInit, number][] = [
    ["path", `/${LONG}`, {}, 404],
    ["method", `/v1/cache/${id}`, { method: `M${LONG}`, headers: alice }, 405],
    ["content-type", "/v1/cache_id", {
      method: "POST",
      headers: { ...alice, "content-type": `text/${LONG}` },
      body: "{}",
    }, 400],
    ["upload content-type", `/v1/cache/${id}`, {
      method: "POST",
      headers: { ...alice, "content-type": `text/${LONG}` },
      body: "{}",
    }, 400],
    ["content-encoding", "/v1/cache_id", {
      method: "POST",
      headers: { ...json, "content-encoding": LONG },
      body: "{}",
    }, 415],
    ["transfer-encoding", "/v1/cache_id", {
      method: "POST",
      headers: { ...json, "transfer-encoding": `${LONG}, chunked` },
      body: "{}",
    }, 501],
    [
      "range",
      `/v1/cache/${id}`,
      { headers: { ...alice, range: `bytes=9-${"9".repeat(20_000)}` } },
      416,
    ],
  ];
  for (const [what, path, init, status] of cases) {
    const res = await fetch(`${t.url}${path}`, init);
    const text = await res.text();
    assertEquals(res.status, status, `${what}: ${text.slice(0, 300)}`);
    assert(text.length < MAX_LINE, `${what}: an answer of ${text.length} characters`);
    // The value is still named: its start, and its length.
    assert(/\(2000\d characters\)/.test(text), `${what}: ${text.slice(0, 300)}`);
  }
  await t.service.shutdown();
  const errors = t.logs.filter((l) => l.includes('"error"'));
  assertEquals(errors.length, cases.length, t.logs.map((l) => l.slice(0, 300)).join("\n"));
  for (const line of errors) {
    assert(line.length < MAX_LINE, `a log line of ${line.length}: ${line.slice(0, 400)}`);
  }
});
