/**
 * `vc serve --max-downloads-per-identity N` bounds one identity's downloads
 * in flight, as `--max-uploads-per-identity` does its uploads: the flag is
 * checked like the upload one (a whole number, exit 2 otherwise) and
 * reaches the service, whose next download of that identity waits for
 * `--download-queue-timeout`, then gets 503 (a bad duration there is exit 2
 * naming the flag).
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { servedUrl } from "./serve_process.ts";
import { newCacheId, upload } from "./server_helpers.ts";

Deno.test("serve: --max-downloads-per-identity is checked and bounds an identity's downloads", async () => {
  await withWorkspace(async (dir, vc) => {
    const store = join(dir, "store");
    await Deno.mkdir(store);
    const tokens = join(dir, "tokens.json");
    const token = ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add-token")
      .stdout.trim();
    const args = ["serve", "--store", pathToFileURL(store).href, "--token-file", tokens];
    for (const bad of ["0", "many"]) {
      const refused = await vc([...args, "--max-downloads-per-identity", bad]);
      assertEquals(refused.code, 2, refused.stderr);
      assertStringIncludes(refused.stderr, "--max-downloads-per-identity");
    }
    const badWait = await vc([...args, "--download-queue-timeout", "soon"]);
    assertEquals(badWait.code, 2, badWait.stderr);
    assertStringIncludes(badWait.stderr, "--download-queue-timeout");
    const serve = vcCommand(dir, childEnv(dir), [
      ...args,
      "--port",
      "0",
      "--max-downloads-per-identity",
      "1",
      "--download-queue-timeout",
      "1s",
    ], 60_000).spawn();
    const started = servedUrl(serve);
    try {
      const { url } = await started;
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
    } finally {
      try {
        serve.kill("SIGKILL");
      } catch {
        // already exited
      }
      await serve.status;
      await started.then((s) => Promise.all([s.stdoutEnd, s.stderr])).catch(() => {});
    }
  });
});
