/**
 * An upload whose client set `Content-Type: multipart/form-data` by hand
 * (`requests.post(..., headers={"Content-Type": "multipart/form-data"},
 * files=...)`, fetch with a FormData body and that header) sends a body
 * framed by a boundary its header does not name. The 400 said only "has no
 * valid boundary", which does not tell the user that the header is theirs to
 * drop; it now says so. A boundary given but empty or longer than RFC 2046's
 * 70 characters is named as such. Nothing is stored either way.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

async function uploadWithType(
  url: string,
  token: string,
  id: string,
  type: string,
): Promise<{ status: number; error: string }> {
  const form = new FormData();
  form.append("file", new Blob(["new bytes"]), "out.tsv");
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token, "content-type": type },
    body: form,
  });
  const doc = await res.json();
  return { status: res.status, error: String(doc.error) };
}

Deno.test("upload: a Content-Type set by hand without the boundary says to let the client set it", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: "hand-set type" })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "previous")).status, 200);

  for (const type of ["multipart/form-data", "multipart/form-data; charset=utf-8"]) {
    const answer = await uploadWithType(t.url, alice, id, type);
    assertEquals(answer.status, 400, type);
    assertStringIncludes(answer.error, "names no boundary");
    assertStringIncludes(answer.error, "do not set Content-Type yourself");
  }
  for (
    const [type, shown] of [
      ["multipart/form-data; boundary=", 'boundary ""'],
      [`multipart/form-data; boundary=${"b".repeat(71)}`, "71 characters"],
    ] as const
  ) {
    const answer = await uploadWithType(t.url, alice, id, type);
    assertEquals(answer.status, 400, type);
    assertStringIncludes(answer.error, shown);
    assertStringIncludes(answer.error, "1 to 70 characters");
  }

  const res = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await res.text(), "previous");
});
