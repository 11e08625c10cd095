/**
 * What a client sends and the service quotes back (a Content-Type in a 400,
 * a cache ID in the log) reaches the log and the answer as JSON, whose
 * strings keep C1 and bidirectional controls raw: U+009B starts an escape
 * sequence on some terminals, U+202E reorders the line shown by `tail`.
 * They are now written as `\uXXXX` (the same JSON value).
 */
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

const RAW = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

Deno.test("log lines and error answers quote a client's C1 and bidi controls escaped", async () => {
  await using t = await startService();
  // Unauthenticated: the Content-Type is quoted in the 400 before the token is checked.
  const typed = await fetch(`${t.url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: "x", "content-type": "text/\x9b31mRED" },
    body: "{}",
  });
  const typedText = await typed.text();
  assertEquals(typed.status, 400);
  assert(!RAW.test(typedText), `raw control in the answer: ${JSON.stringify(typedText)}`);
  assertEquals(
    JSON.parse(typedText).error,
    "Content-Type must be application/json, got text/\x9b31mRED",
  );
  // A cache ID that is none, decoded from the path into the log's error.
  const odd = await fetch(`${t.url}/v1/cache/abc%E2%80%AEgnp.exe%C2%9B2J%7F`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(odd.status, 404);
  await odd.body?.cancel();
  await t.service.shutdown();
  const lines = t.logs.filter((l) => l.includes("text/") || l.includes("gnp.exe"));
  assertEquals(lines.length, 2, t.logs.join("\n"));
  for (const line of lines) assert(!RAW.test(line), `raw control in the log: ${line}`);
  assert(JSON.parse(lines[1]!).error.includes("abc\u202egnp.exe\x9b2J\x7f"), lines[1]);
});
