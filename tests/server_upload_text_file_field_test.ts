/**
 * `curl -F file=result.tsv` (the `@` forgotten) and `requests.post(...,
 * data={"file": ...}, files={...})` send the `file` field as text: a part
 * with no filename at all. The 400 said only `multipart field "file" has no
 * filename`, which reads as a filename to add, not a file to send; it now
 * says the field came as text and how to send a file in it. A file part
 * whose filename is empty (`filename=""`, a form with no file chosen) is
 * still told it has no filename.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

Deno.test("serve: a file field sent as text is told to send the file (curl -F file=@PATH)", async () => {
  await using t = await startService();
  const A = t.tokens.alice;
  const id = (await newCacheId(t.url, A, { text: 1 })).doc.cache_id as string;
  const post = async (disposition: string) => {
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: { authorization: A, "content-type": "multipart/form-data; boundary=XX" },
      body: `--XX\r\nContent-Disposition: ${disposition}\r\n\r\nresult.tsv\r\n--XX--\r\n`,
    });
    return { status: res.status, error: String((await res.json()).error) };
  };
  const text = await post('form-data; name="file"');
  assertEquals(text.status, 400, text.error);
  assertStringIncludes(text.error, 'multipart field "file" came as text, not as a file');
  assertStringIncludes(text.error, "curl -F file=@PATH");
  const empty = await post('form-data; name="file"; filename=""');
  assertEquals(empty.status, 400, empty.error);
  assertEquals(empty.error, 'multipart field "file" has no filename');
});
