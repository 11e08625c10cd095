/**
 * CacheClient.download writes through the shared atomic writer: small files
 * (under the 64 KiB that Deno 2.9's `FsFile.writable` holds back when piped
 * with `preventClose`) arrive whole, with or without a progress callback, and
 * no temp file is left beside the destination; CacheClient.put refuses a
 * content type it would write into the part headers unless it is a media type.
 */
import { CacheClient } from "../src/server/client.ts";
import { InvalidInputError, NotFoundError, OfflineError } from "../src/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
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

Deno.test("CacheClient: a bad URL, an unreachable service and a missing file are clear errors", async () => {
  for (const url of ["not-a-url", "ftp://host/x", "file:///tmp"]) {
    const e = assertThrows(() => new CacheClient({ url, token: "t" }), InvalidInputError);
    assertStringIncludes(e.message, JSON.stringify(url));
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close(); // nothing listens there now
  const client = new CacheClient({ url, token: "t" });
  const e = await assertRejects(() => client.id({ a: 1 }), OfflineError);
  assertStringIncludes(e.message, `cannot reach the cache service at ${url}`);
  const missing = await assertRejects(
    () => client.put("0".repeat(128), { path: "/nonexistent/result.tsv" }),
    NotFoundError,
  );
  assertStringIncludes(missing.message, "file to upload: /nonexistent/result.tsv does not exist");
});

Deno.test("CacheClient.put: a content type that is not a media type is refused before sending", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ type: 1 });
  for (const contentType of ["text/plain\r\nX-Evil: 1", "nope", "text/\u00e9"]) {
    const e = await assertRejects(
      () => client.put(cacheId, new Uint8Array(3), { contentType }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "media type");
  }
  assertEquals(t.logs.filter((l) => JSON.parse(l).route === "/v1/cache/{id}").length, 0);
  await client.put(cacheId, new Uint8Array(3), { filename: "x.bin", contentType: "a/b; c=d" });
  const res = await fetch(`${t.url}/v1/cache/${cacheId}`, {
    headers: { authorization: t.tokens.alice },
  });
  await res.body?.cancel();
  assertEquals(res.headers.get("content-type"), "a/b; c=d");
});

Deno.test("CacheClient.put: a directory or a FIFO is refused before sending, neither taken for an unreachable service nor waited on", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ dir: 1 });
  const fifo = `${t.dir}/fifo`;
  // A FIFO nobody writes to: opening it to read would wait forever.
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  for (const path of [t.dir, fifo]) {
    for (const options of [{}, { onProgress: () => {} }]) {
      const e = await assertRejects(
        () => client.put(cacheId, { path }, options),
        InvalidInputError,
      );
      assertStringIncludes(e.message, `file to upload: ${path} is not a regular file`);
    }
  }
  assertEquals(t.logs.filter((l) => JSON.parse(l).route === "/v1/cache/{id}").length, 0);
});

Deno.test("CacheClient: every request stops on its signal, with the signal's reason; an aborted upload keeps the previous file, an aborted download leaves no file", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ abort: 1 });
  await client.put(cacheId, new TextEncoder().encode("first"));
  const reason = new Error("stop");
  const aborted = AbortSignal.abort(reason);
  const rejectsWithReason = async (fn: () => Promise<unknown>) => {
    const e = await fn().then(() => undefined, (e) => e);
    assertEquals(e, reason);
  };
  await rejectsWithReason(() => client.id({ abort: 2 }, { signal: aborted }));
  await rejectsWithReason(() => client.getBytes(cacheId, { signal: aborted }));
  await rejectsWithReason(() => client.rm(cacheId, { signal: aborted }));
  // An upload stopped mid-body: the service keeps the file it had.
  const controller = new AbortController();
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new Uint8Array(64 * 1024));
      controller.abort(reason);
    },
  });
  await rejectsWithReason(() =>
    client.put(cacheId, endless, { signal: controller.signal, onProgress: () => {} })
  );
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "first");
  const out = `${t.dir}/out.bin`;
  await rejectsWithReason(() => client.download(cacheId, out, { signal: aborted }));
  assertEquals(await Deno.stat(out).then(() => true, () => false), false);
});
