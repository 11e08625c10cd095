/**
 * An upload whose file came in a field not named `file` (`files={"File": f}`,
 * `-F upload=@out.tsv`) is told which field it used and that the file goes in
 * `file`: a small one was only "has no \"file\" field", and one over 1 MiB got
 * 413 "multipart headers and fields exceed 1048576 bytes", which sent its user
 * to raise `--max-upload-bytes` (no help) instead of renaming the field.
 * Nothing is stored and the previous file stays.
 */
import { assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

async function uploadAs(
  url: string,
  token: string,
  id: string,
  field: string,
  bytes: number,
): Promise<{ status: number; doc: Record<string, unknown> }> {
  const form = new FormData();
  form.append("note", "run 7");
  form.append(field, new Blob([new Uint8Array(bytes).fill(120)]), "out.tsv");
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token },
    body: form,
  });
  return { status: res.status, doc: await res.json() };
}

Deno.test("upload: a file sent in another field than file is told the field, small or large", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: "misnamed" })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "previous")).status, 200);
  assertEquals(await uploadAs(t.url, alice, id, "File", 10), {
    status: 400,
    doc: {
      status: "error",
      error:
        'multipart body has no "file" field: the file "out.tsv" came in the field "File"; send it in the field "file"',
    },
  });
  // Over the 1 MiB the other fields may carry (still 413: a "file" part may follow).
  assertEquals(await uploadAs(t.url, alice, id, "upload", 3 << 20), {
    status: 413,
    doc: {
      status: "error",
      error:
        'multipart field "upload" (file "out.tsv") passes the 1048576 bytes allowed for fields other than "file": send the file in the field "file"',
    },
  });
  const kept = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals([kept.status, await kept.text()], [200, "previous"]);
  // A large field that carries no file is still over the limit for fields.
  const form = new FormData();
  form.append("note", "x".repeat(2 << 20));
  form.append("file", new Blob(["new"]), "out.tsv");
  const big = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice },
    body: form,
  });
  assertEquals([big.status, (await big.json()).error], [
    413,
    "multipart headers and fields exceed 1048576 bytes",
  ]);
});
