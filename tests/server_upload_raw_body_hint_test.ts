/**
 * A file sent as the raw request body, as HTTP build caches and object
 * stores take it (`curl -T out.tsv URL`: a PUT; `curl --data-binary
 * @out.tsv`: a POST with another Content-Type), is told how the API takes
 * it: a multipart/form-data POST with the file in the field `file` (`curl -F
 * file=@PATH`). The 405 said only "PUT is not allowed on /v1/cache/{id}" and
 * the 400 only "Content-Type must be multipart/form-data, got ...", which left
 * the user to find the form from the README. The statuses stay, nothing is
 * stored, and the previous file stays.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("upload: a file sent as the raw body (PUT, or POST of another type) is told to send it as -F file=@PATH", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: "raw body" })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "previous")).status, 200);

  for (
    const [method, type, status, said] of [
      ["PUT", "application/octet-stream", 405, "PUT is not allowed on /v1/cache/{id}"],
      ["POST", "application/octet-stream", 400, "got application/octet-stream"],
      ["POST", "application/x-www-form-urlencoded", 400, "got application/x-www-form-urlencoded"],
    ] as const
  ) {
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method,
      headers: { authorization: alice, "content-type": type },
      body: "new bytes",
    });
    assertEquals(res.status, status, `${method} ${type}`);
    const { error } = await res.json();
    assertStringIncludes(error, said);
    assertStringIncludes(error, 'POST it as multipart/form-data, the file in the field "file"');
    assertStringIncludes(error, "curl -F file=@PATH");
  }
  // Other routes' 405s do not speak of files.
  const other = await fetch(`${t.url}/v1/cache_id`, { method: "PUT", body: "{}" });
  assertEquals(other.status, 405);
  const otherError = String((await other.json()).error);
  assertStringIncludes(otherError, "PUT is not allowed on /v1/cache_id");
  assertEquals(otherError.includes("multipart"), false, otherError);

  const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await res.text(), "previous");
});
