/**
 * The per-identity quota's 413 says where the identity stands: it said only
 * "upload exceeds the storage quota of 100 bytes for identity alice", so a
 * user could not tell whether to delete one small cache or half of them.
 * Now the JSON error says the bytes used, the quota, the room left (with the
 * file the upload replaces counted as freed) and, when the upload was
 * refused as it streamed in, how many of its bytes had arrived; the client's
 * error adds the size of the file it sent.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { InvalidInputError } from "../src/errors.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

Deno.test("serve: the quota's 413 says the bytes used, the quota, the room left and the upload's bytes", async () => {
  await using t = await startService({ maxBytesPerIdentity: 100 });
  const { alice } = t.tokens;
  const id = async (n: number) => (await newCacheId(t.url, alice, { n })).doc.cache_id as string;
  const a = await id(1);
  const b = await id(2);
  assertEquals((await upload(t.url, alice, a, new Uint8Array(60))).status, 200);

  const over = await upload(t.url, alice, b, new Uint8Array(50));
  assertEquals(over.status, 413);
  const error = over.doc.error as string;
  assertStringIncludes(error, "storage quota of identity alice: it uses 60 of its 100 bytes");
  assertStringIncludes(error, "40 bytes are left");
  assertStringIncludes(error, "this upload has at least 50 bytes");
  assertStringIncludes(error, "delete caches first");

  // Replacing a's file: its 60 bytes count as freed.
  const replacing = await upload(t.url, alice, a, new Uint8Array(150));
  assertEquals(replacing.status, 413);
  assertStringIncludes(
    replacing.doc.error as string,
    "it uses 60 of its 100 bytes, 100 bytes are left (counting the 60 of the file it replaces)",
  );

  // Full: refused before a byte is read.
  assertEquals((await upload(t.url, alice, a, new Uint8Array(100))).status, 200);
  const full = await upload(t.url, alice, b, new Uint8Array(1));
  assertEquals(full.status, 413);
  assertStringIncludes(full.doc.error as string, "it uses 100 of its 100 bytes, 0 bytes are left");
});

Deno.test("CacheClient.put: the quota's 413 names the size of the file sent", async () => {
  await using t = await startService({ maxBytesPerIdentity: 100 });
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const a = (await client.id({ n: 1 })).cacheId;
  const b = (await client.id({ n: 2 })).cacheId;
  await client.put(a, new Uint8Array(60));
  const path = join(t.dir, "big.bin");
  await Deno.writeFile(path, new Uint8Array(70));
  for (const body of [new Uint8Array(70), { path }]) {
    const e = await assertRejects(() => client.put(b, body), CacheServiceError);
    assertEquals(e.status, 413);
    assert(e.cause instanceof InvalidInputError, String(e.cause));
    assertStringIncludes(e.message, "it uses 60 of its 100 bytes, 40 bytes are left");
    assertStringIncludes(e.message, "(the file sent: 70 bytes)");
  }
});
