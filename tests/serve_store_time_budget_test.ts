/**
 * A store that accepts connections and never answers (a frozen process, a
 * network dropping packets) held each `vc serve` request for a whole round
 * of the store's retries, 5 attempts of the request timeout (5 minutes at
 * the defaults), past any client's patience. The store calls of one request
 * now share one deadline (the store's request timeout by default,
 * `storeTimeoutMs`): past it the request is answered 503 with a JSON error
 * saying so, on every route. A file's bytes are not under it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { logRecord, newCacheId, startService, type TestService, upload } from "./server_helpers.ts";
import { silentServer, storeAt, within } from "./raw_server.ts";
import { overriding } from "./overriding.ts";
import { MemoryStore } from "../src/testing/mod.ts";
import { budgetedStore } from "../src/server/request_budget.ts";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";

/** A 503 of a request whose store did not answer in time. */
async function assertBudget503(res: Response, seconds: number, what: string): Promise<void> {
  assertEquals(res.status, 503, what);
  assertEquals(res.headers.get("retry-after"), "5", what);
  if (what === "HEAD") return; // no body to say why
  const doc = await res.json();
  assertEquals(doc.status, "error", what);
  assertStringIncludes(doc.error, `the store did not answer within ${seconds} s`, what);
}

Deno.test("serve: a cache ID against an S3 store that never answers gets its 503 after one request timeout, not a round of retries", async () => {
  await using silent = silentServer();
  // Five attempts, as the store's default: before, the answer came after all five.
  const store = storeAt(silent.url, 400, { maxAttempts: 5 });
  await using t = await startService({ store });
  const res = await within(
    10_000,
    fetch(`${t.url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: t.tokens.alice, "content-type": "application/json" },
      body: '{"k": 1}',
    }),
  );
  await assertBudget503(res, 0.4, "cache_id");
  assert(silent.accepted() <= 2, `the store was tried ${silent.accepted()} times`);
  // The log line names the store call that did not answer.
  const line = await logRecord(t.logs, (r) => r.status === 503);
  assertStringIncludes(String(line.error), `its last store call: put ${store.url}/meta/`);
});

/**
 * `memory` frozen while `frozen()` says so: each call then waits for its
 * signal, or for `thaw` (a put reads its body first).
 */
function freezable(memory: ObjectStore, frozen: () => boolean, thaw: Promise<void>): ObjectStore {
  const held = <T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> => {
    if (!frozen()) return call();
    return new Promise<T>((resolve, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      thaw.then(() => call().then(resolve, reject));
    });
  };
  return overriding<ObjectStore>(memory, {
    idleTimeoutMs: 300,
    head: (key, o) => held(o?.signal, () => memory.head(key, o)),
    get: (key, o) => held(o?.signal, () => memory.get(key, o)),
    // As S3Store does with a small file: its bytes read, then the PUT sent.
    put: async (key, body, o) => {
      const bytes = body instanceof ReadableStream ? await new Response(body).bytes() : body;
      return await held(o?.signal, () => memory.put(key, bytes, o));
    },
    delete: (keys, o) => held(o?.signal, () => memory.delete(keys, o)),
  });
}

Deno.test("serve: every route against a store that stops answering gets a 503 after the store's request timeout", async () => {
  await using memory = new MemoryStore();
  let frozen = false;
  const { promise: thaw, resolve: thawed } = Promise.withResolvers<void>();
  await using t = await startService({ store: freezable(memory, () => frozen, thaw) });
  // Thawed before the service closes: it waits for the requests in flight.
  try {
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, "hello")).status, 200);
    frozen = true;
    const auth = { authorization: t.tokens.alice };
    const form = new FormData();
    form.append("file", new Blob(["x"]), "x.txt");
    const answers = await within(
      10_000,
      Promise.all([
        fetch(`${t.url}/v1/cache/${id}`, { headers: auth }),
        fetch(`${t.url}/v1/cache/${id}`, { method: "HEAD", headers: auth }),
        fetch(`${t.url}/v1/cache/${id}`, { method: "DELETE", headers: auth }),
        fetch(`${t.url}/v1/cache/${id}`, { method: "POST", headers: auth, body: form }),
        fetch(`${t.url}/v1/cache_id`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: '{"k": 2}',
        }),
      ]),
    );
    const names = ["GET", "HEAD", "DELETE", "upload", "cache_id"];
    for (const [i, res] of answers.entries()) await assertBudget503(res, 0.3, names[i]!);
  } finally {
    thawed();
  }
});

Deno.test("serve: a download whose body takes longer than the store's request timeout is sent whole", async () => {
  await using memory = new MemoryStore();
  let slow = false;
  const size = 100 * 1024; // streamed (over 64 KiB), not read whole by the service
  // The relay's idle bound (the store's idleTimeoutMs) stays far above the pauses
  // between reads, so only the request's budget (200 ms) is shorter than the body.
  const store = overriding<ObjectStore>(memory, {
    idleTimeoutMs: 5_000,
    get: async (key: string, o?: GetOptions): Promise<GetResult> => {
      const result = await memory.get(key, o);
      if (!slow || !key.startsWith("data/")) return result;
      // The store answers at once, then sends the bytes over 4 budgets' time.
      const reader = result.body.getReader();
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (pulls++ < 4) await new Promise((r) => setTimeout(r, 200));
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (why) => reader.cancel(why),
      });
      return { ...result, body };
    },
  });
  await using t = await startService({ store, bodyIdleTimeoutMs: 60_000, storeTimeoutMs: 200 });
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const id = doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, new Uint8Array(size))).status, 200);
  slow = true;
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(res.status, 200);
  assertEquals((await res.bytes()).length, size);
});

/**
 * Uploads a file of `size` bytes to a new cache ID, its first bytes at once and the rest
 * after more than the store's request timeout (its store calls started meanwhile).
 */
async function slowUpload(t: TestService, size: number): Promise<Response> {
  const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
  const boundary = "b0undary";
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n`;
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent++ === 0) return controller.enqueue(encoder.encode(`${head}1`));
      await new Promise((r) => setTimeout(r, 600));
      controller.enqueue(encoder.encode(`${"6".repeat(size - 1)}\r\n--${boundary}--\r\n`));
      controller.close();
    },
  });
  return await fetch(`${t.url}/v1/cache/${doc.cache_id}`, {
    method: "POST",
    headers: {
      authorization: t.tokens.alice,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
    body,
  });
}

Deno.test("serve: an upload whose file arrives over longer than the store's request timeout is stored, or refused with its own answer", async () => {
  await using memory = new MemoryStore();
  const store = overriding<ObjectStore>(memory, { idleTimeoutMs: 200 });
  // With a quota, the entry and the usage are read before the file's bytes go up.
  await using t = await startService({ store, maxUploadBytes: 100, maxBytesPerIdentity: 1e9 });
  const stored = await slowUpload(t, 50);
  assertEquals(stored.status, 200, await stored.text());
  const refused = await slowUpload(t, 101);
  assertEquals(refused.status, 413, await refused.text());
});

Deno.test("serve: the store the service's entries use under a budget keeps the store's own getters", () => {
  const store = storeAt("http://127.0.0.1:1", 5_000);
  // S3Store's getters read its private fields: through a proxy as `this`, they threw.
  assertEquals(budgetedStore(store).idleTimeoutMs, 5_000);
  assertEquals(budgetedStore(store).clock, store.clock);
});
