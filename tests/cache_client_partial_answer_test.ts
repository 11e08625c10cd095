/**
 * A download asks for the whole file; a success that is not it was taken
 * as it. A 206 (a proxy or cache in front of the service answering with a
 * part) was written to DEST as the file, 50 of its 100 bytes, and
 * `vc cache-client get` said "downloaded"; a 204 was a miss to `download`
 * ("has no file") and an empty file to `getBytes` (so `withCache` returned
 * empty output as cached). Each is now an error naming the cache, the
 * service and the answer, and nothing is written.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

const ID = "a".repeat(128);

function answering(status: number) {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      status === 206
        ? new Response("x".repeat(50), {
          status,
          headers: { "content-range": "bytes 0-49/100", etag: '"e1"' },
        })
        : new Response(null, { status }),
  );
}

Deno.test("cache client: a 206 or 204 to a whole-file download is an error, and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const status of [206, 204]) {
      await using server = answering(status);
      const url = `http://127.0.0.1:${server.addr.port}`;
      const client = new CacheClient({ url, token: "t" });
      const dest = join(dir, "out");
      await Deno.writeTextFile(dest, "previous");
      for (const call of [() => client.download(ID, dest), () => client.getBytes(ID)]) {
        const e = await assertRejects(call, CacheServiceError);
        assertEquals(e.status, status);
        assertStringIncludes(
          e.message,
          `download of cache ${ID}: the cache service at ${url} answered ${status}`,
        );
        if (status === 206) assertStringIncludes(e.message, "bytes 0-49/100");
      }
      assertEquals(await Deno.readTextFile(dest), "previous");
      assertEquals((await Array.fromAsync(Deno.readDir(dir))).length, 1);
      let runs = 0;
      await assertRejects(
        () => client.withCache({ k: 1 }, () => Promise.resolve(new Uint8Array([++runs]))),
        CacheServiceError,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache-client get: a proxy's 206 is not written as the file", async () => {
  await using server = answering(206);
  const dir = await Deno.makeTempDir();
  try {
    const io = memoryIo({
      cwd: dir,
      env: { HOME: dir, VC_CACHE_URL: `http://127.0.0.1:${server.addr.port}`, VC_CACHE_TOKEN: "t" },
    });
    assertEquals(await runCli(["cache-client", "get", ID, "copy.bin"], io), 1);
    assertStringIncludes(io.stderr(), `download of cache ${ID}`);
    assertStringIncludes(io.stderr(), "answered 206");
    await assertRejects(() => Deno.lstat(join(dir, "copy.bin")), Deno.errors.NotFound);
    assert(!io.stdout().includes("downloaded"), io.stdout());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache client: a 206 to a get with its own range is its answer", async () => {
  await using server = answering(206);
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  const res = await client.get(ID, { range: "bytes=0-49" });
  assertEquals(res?.status, 206);
  assertEquals((await res!.text()).length, 50);
});
