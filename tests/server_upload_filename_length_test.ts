/**
 * The 1024-character limit on an uploaded file's name, over real HTTP on
 * 127.0.0.1: it counts the name kept (the base name, a path sent in front
 * dropped) in characters, so an emoji counts once (it was counted in UTF-16
 * units, and a 1004-character name was refused as "longer than 1024
 * characters"); a name past it is refused naming its length, and the file
 * stored before stays.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

/** The name a download's `Content-Disposition` gives (its RFC 6266 `filename*`). */
async function downloadedName(url: string, token: string, id: string): Promise<string> {
  const res = await fetch(`${url}/v1/cache/${id}`, { headers: { authorization: token } });
  await res.body?.cancel();
  assertEquals(res.status, 200);
  const disposition = res.headers.get("content-disposition") ?? "";
  return decodeURIComponent(disposition.split("filename*=UTF-8''")[1] ?? "");
}

Deno.test("serve: a filename is limited to 1024 characters of its base name", async () => {
  await using t = await startService();
  const token = t.tokens.alice;
  const id = (await newCacheId(t.url, token, { names: 1 })).doc.cache_id as string;

  // 1004 characters, 2008 UTF-16 units: within the limit.
  const emoji = "😀".repeat(1000) + ".txt";
  assertEquals((await upload(t.url, token, id, "emoji", emoji)).status, 200);
  assertEquals(await downloadedName(t.url, token, id), emoji);

  // A path of 1200 characters in front of a short name: the name kept is short.
  assertEquals(
    (await upload(t.url, token, id, "path", "dir/".repeat(300) + "out.tsv")).status,
    200,
  );
  assertEquals(await downloadedName(t.url, token, id), "out.tsv");

  // Exactly 1024 characters is kept; 1025 is refused, naming the count.
  const longest = "é".repeat(1020) + ".tsv";
  assertEquals((await upload(t.url, token, id, "longest", longest)).status, 200);
  const refused = await upload(t.url, token, id, "too long", "😀".repeat(1021) + ".tsv");
  assertEquals(refused.status, 400);
  assertStringIncludes(String(refused.doc.error), "has 1025 characters, more than the 1024");
  assertEquals(await downloadedName(t.url, token, id), longest);
});
