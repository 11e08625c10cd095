/**
 * Ranged downloads from a store whose bodies are JavaScript streams of small
 * chunks (MemoryStore): Deno 2.9's `FsFile.writable` holds back writes under
 * 64 KiB when piped with `preventClose`, so the download must still land
 * every byte (download.ts notices the short pipe and writes the rest itself).
 */
import { md5Hex } from "../src/hash.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";

/** A MemoryStore whose bodies arrive in 1000-byte chunks. */
class ChoppyStore extends MemoryStore {
  gets = 0;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    this.gets++;
    const r = await super.get(key, options);
    const bytes = new Uint8Array(await new Response(r.body).arrayBuffer());
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    return { info: r.info, body: ReadableStream.from(chunks) };
  }
}

Deno.test("download: ranged bodies of small JS chunks land every byte", async () => {
  await using store = new ChoppyStore();
  const data = new Uint8Array(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  await store.put("k", data);
  const dir = await Deno.makeTempDir();
  try {
    const dest = `${dir}/out.bin`;
    await downloadToFile(store, "k", dest, {
      parallelThreshold: 1,
      partSize: 100_000,
      concurrency: 2,
    });
    const got = await Deno.readFile(dest);
    assertEquals(got.length, data.length);
    assertEquals(md5Hex(got), md5Hex(data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
