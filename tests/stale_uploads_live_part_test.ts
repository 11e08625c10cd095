/**
 * `abortStaleUploads` (the cache service's sweep, `vc serve expire`, `vc
 * repo gc`, `vc mirror`) aborts a multipart upload started before its
 * cutoff (a day ago) as one a dead writer left. An upload still taking
 * parts is a live writer's: `vc serve` lets an upload run for days (10 GiB
 * at its 16 KiB/s minimum rate take 7.6), and one over a slow link started
 * more than a day ago was aborted under its client, which then failed after
 * a day of sending. An upload whose newest part came after the cutoff is
 * kept; one whose parts (or start, with none) are all older is aborted.
 */
import { S3Store } from "../src/store/s3.ts";
import { abortStaleUploads } from "../src/store/stale_uploads.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

/** Waits until the clock has passed `ms` (the store dates with the same clock, in ms). */
async function after(ms: number): Promise<number> {
  for (let i = 0; i < 1000 && Date.now() <= ms; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert(Date.now() > ms, "the clock did not move on");
  return Date.now();
}

Deno.test("stale uploads: an upload that took a part after the cutoff is kept, an idle one aborted", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"], minPartSize: 1 });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  // Two uploads started before the cutoff, as writers on other machines do.
  for (const key of ["live.bin", "dead.bin"]) {
    await fetch(`${s3.url}/b/${key}?uploads`, { method: "POST" }).then((r) => r.body?.cancel());
  }
  const started = await Array.fromAsync(store.pendingUploads(""));
  assertEquals(started.length, 2);
  const cutoff = await after(Math.max(...started.map((u) => u.initiated.getTime())));
  await after(cutoff);
  // The live writer's next part arrives after the cutoff.
  const live = started.find((u) => u.key === "live.bin")!;
  const part = await fetch(`${s3.url}/b/live.bin?partNumber=1&uploadId=${live.uploadId}`, {
    method: "PUT",
    body: "x",
  });
  await part.body?.cancel();
  assertEquals(part.status, 200);
  const result = await abortStaleUploads(store, "", { before: cutoff, notBefore: 0 });
  assertEquals(result.aborted.map((u) => u.key), ["dead.bin"]);
  assertEquals((await Array.fromAsync(store.pendingUploads(""))).map((u) => u.key), ["live.bin"]);
  // Gone (NoSuchUpload): no part time, not an error.
  assertEquals(await store.lastPartAt(started.find((u) => u.key === "dead.bin")!), undefined);
});

Deno.test("stale uploads: a parts listing past any listing page's size is refused, not read whole", async () => {
  // A ListParts page is read as every listing page is: bounded (an endpoint
  // sending without end took all memory), and said as that listing's.
  const { S3Fetch } = await import("../src/store/s3_fetch.ts");
  const { lastPartTime } = await import("../src/store/s3_uploads_list.ts");
  const padding = " ".repeat(33 * 1024 * 1024);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        `<ListPartsResult><IsTruncated>false</IsTruncated>${padding}</ListPartsResult>`,
        { headers: { "content-type": "application/xml" } },
      ),
  );
  const lean = new S3Fetch({
    bucket: "b",
    baseUrl: `http://127.0.0.1:${server.addr.port}/b`,
    region: "us-east-1",
    credentials: () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "s" }),
    credentialSource: "example",
  });
  try {
    const error = await assertRejects(() => lastPartTime(lean, { key: "big.bin", uploadId: "u1" }));
    assert(error.message.includes("larger than 32 MiB"), error.message);
    assert(error.message.includes("ListParts s3://b/big.bin"), error.message);
  } finally {
    lean.close();
  }
});
