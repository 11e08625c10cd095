/**
 * A file download from a directory (`file://`) store whose file fails
 * mid-body (cut short under the service: another host replacing or
 * deleting it on shared NFS): the client gets a short body, and the log must
 * say so on the request's own line, with the bytes handed on before and the
 * store's error. It said 200 with every byte sent, and Deno.serve's report of
 * the failed body came as a separate 500 line with no request id, a stack
 * trace attributed to no request. So did a download cut past its bound (a
 * client that stopped reading), with its whole size as sent.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { logRecord, newCacheId, startService, upload } from "./server_helpers.ts";

const SIZE = 16 << 20;
const KEPT = 1 << 20;

/** The path of the one file of `size` bytes under `dir`. */
async function fileOfSize(dir: string, size: number): Promise<string> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for await (const e of Deno.readDir(at)) {
      const path = `${at}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if ((await Deno.stat(path)).size === size) found.push(path);
    }
  };
  await walk(dir);
  assertEquals(found.length, 1, found.join(", "));
  return found[0]!;
}

Deno.test("serve: a download whose store file fails mid-body is logged once, short, with the error", async () => {
  await using t = await startService();
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const id = doc.cache_id as string;
  const up = await upload(t.url, t.tokens.alice, id, new Uint8Array(SIZE).fill(7), "big.bin");
  assertEquals(up.status, 200, JSON.stringify(up.doc));
  const data = await fileOfSize(`${t.dir}/store`, SIZE);

  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(res.status, 200);
  const reader = res.body!.getReader();
  let got = (await reader.read()).value?.length ?? 0;
  // The store's file is cut short while the body streams.
  await Deno.truncate(data, KEPT);
  let failed = false;
  try {
    while (true) {
      const step = await reader.read();
      if (step.done) break;
      got += step.value.length;
    }
  } catch {
    failed = true;
  }
  assert(failed && got < SIZE, `the client got ${got} bytes, failed: ${failed}`);

  const line = await logRecord(t.logs, (l) => l.method === "GET" && l.route === "/v1/cache/{id}");
  assertEquals(line.status, 200);
  assertEquals(line.aborted, true, JSON.stringify(line));
  assert(Number(line.bytes_out) < SIZE, `logged as sent whole: ${JSON.stringify(line)}`);
  assertEquals(line.bytes_out_unconfirmed, undefined, JSON.stringify(line));
  assertStringIncludes(String(line.error), "download cut: the store's body of cache");
  assertStringIncludes(String(line.error), `ended at byte`);
  // Let Deno.serve report the failed body, then: no line but the request's.
  await new Promise((r) => setTimeout(r, 200));
  const stray = t.logs.map((l) => JSON.parse(l)).filter((l) => l.request_id === "-");
  assertEquals(stray, [], "a line attributed to no request");
});

Deno.test("serve: a file:// download cut past its bound is logged once, with the bytes handed on", async () => {
  // Past 0.3 s plus its length at 1 GiB/s, a download not sent whole is cut.
  await using t = await startService({ bodyIdleTimeoutMs: 300, downloadMinRate: 1 << 30 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 2 });
  const id = doc.cache_id as string;
  const size = 32 << 20;
  const up = await upload(t.url, t.tokens.alice, id, new Uint8Array(size).fill(7), "big.bin");
  assertEquals(up.status, 200, JSON.stringify(up.doc));

  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  const reader = res.body!.getReader();
  let got = (await reader.read()).value?.length ?? 0;
  // The client stops reading past the download's bound: it is cut.
  await new Promise((r) => setTimeout(r, 1000));
  let failed = false;
  try {
    while (true) {
      const step = await reader.read();
      if (step.done) break;
      got += step.value.length;
    }
  } catch {
    failed = true;
  }
  assert(failed && got < size, `the client got ${got} bytes, failed: ${failed}`);
  const line = await logRecord(t.logs, (l) => l.method === "GET" && l.route === "/v1/cache/{id}");
  assertEquals(line.aborted, true, JSON.stringify(line));
  assertStringIncludes(String(line.error), "download cut: not sent whole within");
  assert(Number(line.bytes_out) < size, `logged as sent whole: ${JSON.stringify(line)}`);
  await new Promise((r) => setTimeout(r, 200));
  const stray = t.logs.map((l) => JSON.parse(l)).filter((l) => l.request_id === "-");
  assertEquals(stray, [], "a line attributed to no request");
});
