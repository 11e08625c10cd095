/**
 * S3Store.get hands a small body it read whole as `bytes` too (issue 11: the
 * cold path of small objects skips a stream per object), and download.ts
 * writes those bytes with the same checks as a streamed body.
 */
import { S3Store } from "../src/store/s3.ts";
import { downloadToFile } from "../src/store/download.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function store(endpoint: string): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    requestTimeoutMs: 10_000,
  });
}

Deno.test("S3Store.get: a small body comes as bytes too, and its stream still reads the same", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const s = store(fake.url);
  const content = new TextEncoder().encode("a,b\n1,2\n");
  await s.put("x.csv", content);
  const r = await s.get("x.csv");
  assertEquals(r.bytes, content);
  assertEquals(new Uint8Array(await new Response(r.body).arrayBuffer()), content);
  // A ranged GET keeps its stream only (the server may ignore the range).
  const ranged = await s.get("x.csv", { range: { start: 2 } });
  assertEquals(ranged.bytes, undefined);
  assertEquals(await new Response(ranged.body).text(), "b\n1,2\n");
  // An empty object: empty bytes, an empty stream.
  await s.put("empty", new Uint8Array());
  const empty = await s.get("empty");
  assertEquals(empty.bytes?.length, 0);
  assertEquals((await new Response(empty.body).arrayBuffer()).byteLength, 0);
  await s.close();
});

Deno.test("downloadToFile: a small object read whole is written, verified and renamed into place", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const s = store(fake.url);
  const dir = await Deno.makeTempDir();
  try {
    const content = new Uint8Array(4096).map((_, i) => i % 251);
    await s.put("d/f.bin", content);
    const info = await downloadToFile(s, "d/f.bin", `${dir}/f.bin`);
    assertEquals(info.size, 4096);
    assertEquals(await Deno.readFile(`${dir}/f.bin`), content);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["f.bin"]);
    // Told a size the object does not have: refused, nothing left behind.
    let failed = false;
    try {
      await downloadToFile(s, "d/f.bin", `${dir}/g.bin`, {
        integrity: { sha256: "0".repeat(64), size: 4096 },
      });
    } catch {
      failed = true;
    }
    assert(failed, "a wrong pinned hash must fail");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["f.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await s.close();
  }
});
