/**
 * The fake S3's disk backend keeps a completed multipart object as its part
 * files (hard links, no copy of the bytes): reads whole and across part
 * boundaries come out right, a restart still finds the object, a reader
 * that started before a replace and a delete keeps reading the old bytes,
 * and replacing or deleting the object leaves no part files behind.
 */
import { DiskBackend } from "../src/testing/fake_s3/disk_backend.ts";
import type { Staged, StoredObject } from "../src/testing/fake_s3/backend.ts";
import { assert, assertEquals } from "./assert.ts";
import { filesUnder } from "./files_under.ts";

function bytes(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}

async function stage(backend: DiskBackend, data: Uint8Array): Promise<Staged> {
  return await backend.stage(ReadableStream.from([data]), data.length, 1 << 30);
}

async function readAll(backend: DiskBackend, o: StoredObject, start = 0, end = o.size) {
  const body = backend.read(o, start, end);
  return body instanceof Uint8Array ? body : new Uint8Array(await new Response(body).arrayBuffer());
}

const fields = { etag: "x-3", contentType: undefined, metadata: {}, headers: {} };

Deno.test("fake S3 disk backend: a multipart object is its part files, linked, never copied", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_fake_parts_" });
  try {
    const backend = new DiskBackend(dir);
    await backend.init();
    await backend.createBucket("b");
    const parts = [bytes(300_000, 1), bytes(300_000, 2), bytes(1234, 3)];
    const staged = await Promise.all(parts.map((p) => stage(backend, p)));
    const joined = await backend.concat(staged);
    assertEquals(joined.size, 601_234);
    const object = await backend.commit("b", "k", joined, {
      ...fields,
      partSizes: parts.map((p) => p.length),
    }, () => {});
    for (const s of staged) await backend.discard(s);
    const whole = new Uint8Array([...parts[0]!, ...parts[1]!, ...parts[2]!]);
    assertEquals(await readAll(backend, object), whole);
    assertEquals(
      await readAll(backend, object, 299_990, 300_010),
      whole.subarray(299_990, 300_010),
    );
    assertEquals(await readAll(backend, object, 600_001, 601_234), whole.subarray(600_001));
    const stored = filesUnder(`${dir}/b`, { relative: true }).filter((n) => !n.endsWith(".json"));
    assertEquals(stored.length, 3, `three part files: ${stored}`);
    assert(stored.every((n) => /\.parts\/0000[123]$/.test(n)), stored.join(" "));
    // A restart finds the object.
    await backend.close();
    const again = new DiskBackend(dir);
    await again.init();
    const reloaded = again.get("b", "k")!;
    assertEquals(await readAll(again, reloaded), whole);
    // A reader that started before a replace and a delete reads the old bytes.
    const early = again.read(reloaded, 0, reloaded.size) as ReadableStream<Uint8Array>;
    const replacement = await stage(again, bytes(10, 9));
    await again.commit(
      "b",
      "k",
      replacement,
      { ...fields, etag: "e", partSizes: undefined },
      () => {},
    );
    assertEquals(new Uint8Array(await new Response(early).arrayBuffer()), whole);
    assertEquals(
      filesUnder(`${dir}/b`, { relative: true }).filter((n) => !n.endsWith(".json")).length,
      1,
    );
    await again.delete("b", "k");
    assertEquals(
      filesUnder(`${dir}/b`, { relative: true }).filter((n) => !n.endsWith(".json")),
      [],
    );
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
