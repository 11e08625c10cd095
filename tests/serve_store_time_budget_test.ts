/**
 * A store that accepts connections and never answers (a frozen process, a
 * network dropping packets) held each `vc serve` request for a whole round
 * of the store's retries, 5 attempts of the request timeout (5 minutes at
 * the defaults), past any client's patience. The store calls of one request
 * now share one deadline (the store's request timeout by default,
 * `storeTimeoutMs`): past it the request is answered 503 with a JSON error
 * saying so, on every route. A file's bytes are not under it.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { logRecord, newCacheId, startService, type TestService, upload } from "./server_helpers.ts";
import { silentServer, storeAt, within } from "./raw_server.ts";
import { overriding } from "./overriding.ts";
import { MemoryStore } from "../src/testing/mod.ts";
import { budgetedStore, withStoreBudget } from "../src/server/request_budget.ts";
import { HttpError } from "../src/server/http_error.ts";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { USAGE_PREFIX, UsageCounter } from "../src/server/quota.ts";
import { until } from "./mirror_helpers.ts";

/** A 503 of a request whose store did not answer in time. */
async function assertBudget503(res: Response, seconds: number, what: string): Promise<void> {
  assertEquals(res.status, 503, what);
  assertEquals(res.headers.get("retry-after"), "5", what);
  if (what === "HEAD") return; // no body to say why
  const doc = await res.json();
  assertEquals(doc.status, "error", what);
  assertStringIncludes(doc.error, `the store did not answer within ${seconds} s`, what);
  // As the service's other answers for a store outage: the log line names the call.
  assertStringIncludes(doc.error, `(request id ${res.headers.get("x-request-id")})`, what);
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
  assertStringIncludes(String(line.error), `the store call under way: put ${store.url}/meta/`);
});

/**
 * `memory` frozen for the keys `frozen` says so of: each call then waits
 * for its signal, or for `thaw` (a put reads its body first).
 */
function freezable(
  memory: ObjectStore,
  frozen: (key: string) => boolean,
  thaw: Promise<void>,
  idleTimeoutMs = 300,
): ObjectStore {
  const held = <T>(
    key: string,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
  ): Promise<T> => {
    if (!frozen(key)) return call();
    return new Promise<T>((resolve, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      thaw.then(() => call().then(resolve, reject));
    });
  };
  return overriding<ObjectStore>(memory, {
    idleTimeoutMs,
    head: (key, o) => held(key, o?.signal, () => memory.head(key, o)),
    get: (key, o) => held(key, o?.signal, () => memory.get(key, o)),
    // As S3Store does with a small file: its bytes read, then the PUT sent.
    put: async (key, body, o) => {
      const bytes = body instanceof ReadableStream ? await new Response(body).bytes() : body;
      return await held(key, o?.signal, () => memory.put(key, bytes, o));
    },
    delete: (keys, o) => held(keys.join(" "), o?.signal, () => memory.delete(keys, o)),
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

Deno.test("serve: an upload whose file arrived over longer than the store's request timeout keeps the store's own error when recording it fails", async () => {
  await using memory = new MemoryStore();
  let refuse = false;
  const store = overriding<ObjectStore>(memory, {
    idleTimeoutMs: 200,
    // Once the file's data is stored, the store refuses the write that records it.
    put: (key, body, o) => {
      if (key.startsWith("data/")) refuse = true;
      if (refuse && key.startsWith("meta/")) {
        return Promise.reject(new AccessDeniedError(`PUT ${key}: access denied`));
      }
      return memory.put(key, body, o);
    },
  });
  // With a quota, the entry and the usage are read before the file arrives.
  await using t = await startService({ store, maxBytesPerIdentity: 1e9 });
  const res = await slowUpload(t, 50);
  assertEquals(res.status, 503);
  const doc = await res.json();
  // Not "the store did not answer": it answered, and refused.
  assertStringIncludes(doc.error, "the store refused the service's access");
});

Deno.test("serve: many requests at once each keep their own store budget: those of a frozen cache get 503, the others their files", async () => {
  await using memory = new MemoryStore();
  const frozenIds: string[] = [];
  const { promise: thaw, resolve: thawed } = Promise.withResolvers<void>();
  // A budget far above what a request of the memory store takes on a loaded machine.
  const store = freezable(memory, (key) => frozenIds.some((id) => key.includes(id)), thaw, 1_500);
  await using t = await startService({ store, maxBytesPerIdentity: 1e9 });
  try {
    const auth = { authorization: t.tokens.alice };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { doc } = await newCacheId(t.url, t.tokens.alice, { k: i });
      ids.push(doc.cache_id as string);
      assertEquals((await upload(t.url, t.tokens.alice, ids[i]!, `file ${i}`)).status, 200);
    }
    const [frozenA, frozenB, fastA, fastB] = ids as [string, string, string, string];
    frozenIds.push(frozenA, frozenB);
    const get = (id: string, method = "GET") =>
      fetch(`${t.url}/v1/cache/${id}`, { method, headers: auth });
    // Waves a fifth of a budget apart, so fast requests start while frozen
    // ones' budgets run, and as they run out.
    const waves: Promise<{ id: string; method: string; res: Response }>[][] = [];
    for (let wave = 0; wave < 8; wave++) {
      if (wave > 0) await new Promise((r) => setTimeout(r, 300));
      const calls: [string, string][] = [
        [frozenA, "GET"],
        [fastA, "GET"],
        [frozenB, "HEAD"],
        [fastB, "GET"],
        [fastA, "HEAD"],
        [fastB, "POST"],
      ];
      waves.push(calls.map(async ([id, method]) => {
        if (method !== "POST") return { id, method, res: await get(id, method) };
        const form = new FormData();
        form.append("file", new Blob([`file ${ids.indexOf(id)}`]), "x.txt");
        const res = await fetch(`${t.url}/v1/cache/${id}`, { method, headers: auth, body: form });
        return { id, method, res };
      }));
    }
    const answers = await within(30_000, Promise.all(waves.flat()));
    for (const { id, method, res } of answers) {
      const what = `${method} of ${id === frozenA || id === frozenB ? "a frozen" : "a fast"} cache`;
      if (id === frozenA || id === frozenB) {
        await assertBudget503(res, 1.5, method === "HEAD" ? "HEAD" : what);
        if (method === "HEAD") await res.body?.cancel();
        continue;
      }
      assertEquals(
        res.status,
        200,
        `${what}: ${method === "HEAD" ? "" : await res.clone().text()}`,
      );
      if (method === "GET") assertEquals(await res.text(), `file ${ids.indexOf(id)}`, what);
      else await res.body?.cancel();
    }
  } finally {
    thawed();
  }
});

Deno.test("serve: a download whose store stops sending mid-body is still cut at the store's idle bound under a store budget", async () => {
  await using memory = new MemoryStore();
  let stall = false;
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const size = 100 * 1024; // streamed (over 64 KiB), not read whole by the service
  const store = overriding<ObjectStore>(memory, {
    idleTimeoutMs: 300,
    get: async (key: string, o?: GetOptions): Promise<GetResult> => {
      const result = await memory.get(key, o);
      if (!stall || !key.startsWith("data/")) return result;
      // The first bytes at once, then nothing (until the test ends).
      const reader = result.body.getReader();
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (pulls++ > 0) await released;
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (why) => reader.cancel(why),
      });
      return { ...result, body };
    },
  });
  // The budget far above the idle bound: only the idle bound can cut the body.
  await using t = await startService({ store, bodyIdleTimeoutMs: 60_000, storeTimeoutMs: 60_000 });
  try {
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, new Uint8Array(size))).status, 200);
    stall = true;
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(res.status, 200);
    // The body is cut (an error), not left hanging, and not sent whole.
    const read = await within(20_000, res.bytes().then((b) => b.length, (e) => e));
    assert(read instanceof Error || read < size, `the download was not cut: ${read}`);
  } finally {
    release();
  }
});

Deno.test("serve: a store call left running past its request's expired budget is not aborted by that budget", async () => {
  await using memory = new MemoryStore();
  let frozen = true;
  const never = (signal?: AbortSignal) =>
    new Promise<never>((_, reject) =>
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
    );
  const store = budgetedStore(overriding<ObjectStore>(memory, {
    head: (key, o) => {
      if (frozen) return never(o?.signal);
      o?.signal?.throwIfAborted();
      return memory.head(key, o);
    },
  }));
  const { promise: requestEnded, resolve: endRequest } = Promise.withResolvers<void>();
  let leftBehind: Promise<unknown> | undefined;
  await within(
    10_000,
    assertRejects(
      () =>
        withStoreBudget(50, async () => {
          // Work the request leaves behind, running once it ended (a background write).
          leftBehind = requestEnded.then(() => store.head("k"));
          await store.head("k");
        }),
      HttpError,
      "the store did not answer within 0.05 s",
    ),
  );
  frozen = false;
  endRequest();
  assertEquals(await leftBehind, undefined);
});

Deno.test("serve: the log line of an upload whose check of its entry did not answer names that call, not the file's write beside it", async () => {
  await using memory = new MemoryStore();
  let frozen = false;
  const { promise: thaw, resolve: thawed } = Promise.withResolvers<void>();
  const store = freezable(memory, (key) => frozen && key.startsWith("meta/"), thaw);
  await using a = await startService({ store });
  // Another instance, which has not seen the entry: its upload reads the
  // entry while the file goes up.
  await using b = await startService({ store });
  try {
    await Deno.copyFile(a.tokenFile, b.tokenFile);
    const { doc } = await newCacheId(a.url, a.tokens.alice, { k: 1 });
    frozen = true;
    const res = await within(10_000, upload(b.url, a.tokens.alice, doc.cache_id as string, "x"));
    assertEquals(res.status, 503);
    const line = await logRecord(b.logs, (r) => r.status === 503);
    assertStringIncludes(String(line.error), `get ${store.url}/meta/`);
  } finally {
    thawed();
  }
});

Deno.test("serve: a usage write several requests wait on is cut for each at its own budget, not at the one of the request that opened it", async () => {
  await using memory = new MemoryStore();
  // Usage writes held until released (or aborted).
  const held: (() => void)[] = [];
  const store = budgetedStore(overriding<ObjectStore>(memory, {
    put: (key, body, o) => {
      if (!key.startsWith(USAGE_PREFIX)) return memory.put(key, body, o);
      return new Promise((resolve, reject) => {
        o?.signal?.addEventListener("abort", () => reject(o.signal!.reason), { once: true });
        held.push(() => void memory.put(key, body, o).then(resolve, reject));
      });
    },
  }));
  const counter = new UsageCounter(store, 1e9);
  const owner = "token-file:alice";
  // Another request's write under way, held: the next changes wait for it.
  const first = withStoreBudget(60_000, () => counter.add(owner, 1));
  await until("the first usage write", () => held.length === 1);
  // A request with little time opens the next write; one with time joins it.
  const short = withStoreBudget(50, () => counter.add(owner, 2));
  const long = withStoreBudget(60_000, () => counter.add(owner, 3));
  const shortAnswer = short.then(() => undefined, (e) => e);
  held.shift()!();
  await first;
  const cut = await within(10_000, shortAnswer);
  assert(cut instanceof HttpError && cut.status === 503, String(cut));
  // The write goes on for the request with time left, and lands.
  await until("the second usage write", () => held.length === 1);
  held.shift()!();
  await within(10_000, long);
  assertEquals(await counter.bytes(owner), 6);
});
