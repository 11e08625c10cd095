/**
 * CacheClient.download writes through the shared atomic writer: small files
 * (under the 64 KiB that Deno 2.9's `FsFile.writable` holds back when piped
 * with `preventClose`) arrive whole, with or without a progress callback, and
 * no temp file is left beside the destination.
 */
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("CacheClient.download: small files arrive whole and leave no temp file", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ small: 1 });
  const data = new Uint8Array(1000).map((_, i) => i & 0xff);
  await client.put(cacheId, data);
  const outDir = `${t.dir}/out`;
  await Deno.mkdir(outDir);
  let progress = 0;
  assert(await client.download(cacheId, `${outDir}/a.bin`));
  assert(
    await client.download(cacheId, `${outDir}/b.bin`, { onProgress: (p) => (progress = p.bytes) }),
  );
  assertEquals(await Deno.readFile(`${outDir}/a.bin`), data);
  assertEquals(await Deno.readFile(`${outDir}/b.bin`), data);
  assertEquals(progress, data.length);
  assertEquals([...Deno.readDirSync(outDir)].map((e) => e.name).sort(), ["a.bin", "b.bin"]);
  assertEquals(await client.download("0".repeat(32), `${outDir}/c.bin`).catch(() => false), false);
});
