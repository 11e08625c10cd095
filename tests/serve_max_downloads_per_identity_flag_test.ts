/**
 * `vc serve --max-downloads-per-identity N` bounds one identity's downloads
 * in flight, as `--max-uploads-per-identity` does its uploads: the flag is
 * checked like the upload one (a whole number, exit 2 otherwise) and
 * reaches the service, whose next download of that identity waits for
 * `--download-queue-timeout`, then gets 503 (a bad duration there is exit 2
 * naming the flag).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { serveSetup, spawnServe } from "./serve_process.ts";
import { newCacheId, upload } from "./server_helpers.ts";

Deno.test("serve: --max-downloads-per-identity is checked and bounds an identity's downloads", async () => {
  await withWorkspace(async (dir, vc) => {
    const { args, token } = await serveSetup(dir, vc);
    for (const bad of ["0", "many"]) {
      const refused = await vc([...args, "--max-downloads-per-identity", bad]);
      assertEquals(refused.code, 2, refused.stderr);
      assertStringIncludes(refused.stderr, "--max-downloads-per-identity");
    }
    const badWait = await vc([...args, "--download-queue-timeout", "soon"]);
    assertEquals(badWait.code, 2, badWait.stderr);
    assertStringIncludes(badWait.stderr, "--download-queue-timeout");
    await using serve = await spawnServe(dir, [
      ...args,
      "--max-downloads-per-identity",
      "1",
      "--download-queue-timeout",
      "1s",
    ]);
    const { url } = serve;
    const bigId = (await newCacheId(url, token, { big: 1 })).doc.cache_id as string;
    const smallId = (await newCacheId(url, token, { small: 1 })).doc.cache_id as string;
    const big = new Uint8Array(32 << 20).fill(1);
    assertEquals((await upload(url, token, bigId, big, "big.bin")).status, 200);
    assertEquals((await upload(url, token, smallId, "small")).status, 200);
    const get = (id: string) =>
      fetch(`${url}/v1/cache/${id}`, { headers: { authorization: token } });
    const held = await get(bigId);
    try {
      assertEquals(held.status, 200);
      const second = await get(smallId);
      const text = await second.text();
      assertEquals(second.status, 503, text);
      assertStringIncludes(text, "this identity's downloads hold all 1");
      assertStringIncludes(
        await (await fetch(`${url}/metrics`)).text(),
        "vc_serve_downloads_active 1",
      );
    } finally {
      await held.body?.cancel();
    }
  });
});
