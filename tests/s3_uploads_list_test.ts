// ListMultipartUploads on vc's own request path (a mirror pass and a publish
// look for uploads a killed writer left open; through the AWS SDK that look
// loaded the SDK and Deno's Node layer into every run). The parser refuses
// what is no uploads listing, and paging ends or fails, never loops.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { StoreError } from "../src/errors.ts";
import { S3Fetch } from "../src/store/s3_fetch.ts";
import { S3Store } from "../src/store/s3.ts";
import { listUploads, parseListMultipartUploads } from "../src/store/s3_uploads_list.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const doc = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult>${inner}</ListMultipartUploadsResult>`;
const upload = (key: string, id: string, initiated = "2026-11-01T00:00:00.000Z") =>
  `<Upload><Key>${key}</Key><UploadId>${id}</UploadId><Initiator><ID>x</ID></Initiator>` +
  `<Initiated>${initiated}</Initiated></Upload>`;

Deno.test("parseListMultipartUploads: keys decoded, markers read, non-listings refused", () => {
  const page = parseListMultipartUploads(doc(
    "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>" +
      "<NextKeyMarker>d%2Fb+c</NextKeyMarker><NextUploadIdMarker>u&amp;2</NextUploadIdMarker>" +
      upload("d%2Fa%26b", "u1") + upload("d%2Fb+c", "u&amp;2"),
  ));
  assertEquals(page.uploads.map((u) => [u.key, u.uploadId]), [["d/a&b", "u1"], ["d/b c", "u&2"]]);
  assertEquals(page.uploads[0]!.initiated.toISOString(), "2026-11-01T00:00:00.000Z");
  assertEquals([page.truncated, page.nextKeyMarker, page.nextUploadIdMarker], [
    true,
    "d/b c",
    "u&2",
  ]);
  // Without EncodingType the key is as written.
  assertEquals(parseListMultipartUploads(doc(upload("a%2Fb", "u"))).uploads[0]!.key, "a%2Fb");
  for (
    const [body, why] of [
      ["<html>login</html>", "not a ListMultipartUploadsResult"],
      [`<!DOCTYPE x [<!ENTITY e "k">]>${doc(upload("&e;", "u"))}`, "DOCTYPE"],
      [doc(upload("k", "u", "yesterday")), "no date"],
      [doc("<Upload><Key>k</Key></Upload>"), "without <Key> or <UploadId>"],
      [doc("<IsTruncated>maybe</IsTruncated>"), "neither true nor false"],
    ]
  ) {
    let e: unknown;
    try {
      parseListMultipartUploads(body!);
    } catch (error) {
      e = error;
    }
    assert(e instanceof StoreError, body);
    assertStringIncludes(e.message, why!);
  }
});

/** A bucket endpoint answering every uploads listing with `answer(query)`. */
function stubServer(answer: (query: URLSearchParams) => string) {
  const queries: URLSearchParams[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const query = new URL(req.url).searchParams;
    queries.push(query);
    return new Response(answer(query), { headers: { "content-type": "application/xml" } });
  });
  const lean = new S3Fetch({
    bucket: "b",
    baseUrl: `http://127.0.0.1:${server.addr.port}/b`,
    region: "us-east-1",
    credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
    credentialSource: "test",
    maxAttempts: 1,
  });
  return {
    lean,
    queries,
    async [Symbol.asyncDispose]() {
      lean.close();
      await server.shutdown();
    },
  };
}

Deno.test("listUploads: follows the markers page after page, decoded back as the server gave them", async () => {
  await using stub = stubServer((q) =>
    q.get("key-marker") === null
      ? doc(
        "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>" +
          "<NextKeyMarker>p%2Fa+b</NextKeyMarker><NextUploadIdMarker>u1</NextUploadIdMarker>" +
          upload("p%2Fa+b", "u1"),
      )
      : doc(
        "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>" + upload("p%2Fz", "u2"),
      )
  );
  const got: string[] = [];
  for await (const u of listUploads(stub.lean, { prefix: "p/" })) {
    got.push(`${u.key} ${u.uploadId}`);
  }
  assertEquals(got, ["p/a b u1", "p/z u2"]);
  assertEquals(stub.queries.length, 2);
  assert(stub.queries.every((q) => q.has("uploads") && q.get("prefix") === "p/"));
  assertEquals(stub.queries[1]!.get("key-marker"), "p/a b");
  assertEquals(stub.queries[1]!.get("upload-id-marker"), "u1");
});

Deno.test("listUploads: a server that pages the same place forever, or gives no way on, fails the listing", async () => {
  for (
    const body of [
      doc(
        "<IsTruncated>true</IsTruncated><NextKeyMarker>p/a</NextKeyMarker>" +
          "<NextUploadIdMarker>u1</NextUploadIdMarker>" + upload("p/a", "u1"),
      ),
      doc("<IsTruncated>true</IsTruncated>"),
    ]
  ) {
    await using stub = stubServer(() => body);
    const e = await assertRejects(async () => {
      for await (const _ of listUploads(stub.lean, { prefix: "p/" })) { /* drain */ }
    }, StoreError);
    assertStringIncludes(e.message, "the listing would never end");
    assert(stub.queries.length <= 2, `${stub.queries.length} requests`);
  }
});

Deno.test("S3Store.pendingUploads: keys relative to the store, uploads outside the prefix passed over", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const key of ["data/x/big.bin", "data/y.bin", "other/z.bin"]) {
    const res = await fetch(`${s3.url}/b/${key}?uploads`, { method: "POST" });
    await res.body?.cancel();
  }
  await using store = new S3Store({
    bucket: "b",
    prefix: "data",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "s" },
  });
  const keys: string[] = [];
  for await (const u of store.pendingUploads("")) keys.push(u.key);
  assertEquals(keys.sort(), ["x/big.bin", "y.bin"]);
  const under: string[] = [];
  for await (const u of store.pendingUploads("x/")) under.push(u.key);
  assertEquals(under, ["x/big.bin"]);
});
