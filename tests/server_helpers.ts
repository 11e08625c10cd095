/**
 * Shared setup for the cache service tests: a manual clock, a fake KBase
 * auth server, and a running service over a temp FsStore with a token file.
 */
import type { Clock } from "../src/clock.ts";
import { FsStore } from "../src/store/fs.ts";
import { S3Store } from "../src/store/s3.ts";
import type { DeleteOptions, ObjectStore } from "../src/store/types.ts";
import { InvalidInputError, StoreError } from "../src/errors.ts";
import { addToken, type AuthProvider, TokenFileAuth } from "../src/server/auth.ts";
import { type CacheServiceOptions, createHandler } from "../src/server/handler.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertStringIncludes, assertThrows } from "./assert.ts";
import {
  type RunningCacheService,
  serveCache,
  type ServeCacheOptions,
} from "../src/server/serve.ts";
import { CacheClient } from "../src/server/client.ts";
import { overriding } from "./overriding.ts";

/** A clock that moves only when told (until src/testing has one). */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: { until: number; resolve: () => void }[] = [];
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      }, { once: true });
    });
  }
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const s of due) s.resolve();
  }
}

export const DAY = 86_400_000;

/**
 * `store` whose time (`serverTime`) is `clock`'s: for a test that moves its
 * clock on to age what the store holds (time passes for the store too),
 * where expiry would otherwise refuse to remove anything, its clock being
 * that far ahead of the store's real one.
 */
export function timedBy<T extends ObjectStore>(store: T, clock: Clock): T {
  return overriding(store, { serverTime: () => Promise.resolve(clock.now()) } as Partial<T>);
}

/** A fake KBase auth service: `GET /api/V2/token` answers for the tokens given. */
export interface FakeAuth extends AsyncDisposable {
  url: string;
  calls: number;
  /** Make the next lookups fail with this status (0: answer normally). */
  failWith: number;
  /** Make the next lookups answer this late (ms). */
  delayMs: number;
}

export function startFakeAuth(users: Record<string, string>): FakeAuth {
  const state = { calls: 0, failWith: 0, delayMs: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/api/V2/token") return new Response("no", { status: 404 });
    state.calls++;
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.failWith !== 0) return new Response("down", { status: state.failWith });
    const user = users[req.headers.get("authorization") ?? ""];
    if (user === undefined) {
      return Response.json({ error: { httpcode: 401, message: "Invalid token" } }, {
        status: 401,
      });
    }
    return Response.json({ type: "Login", id: "x", user, name: null });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get calls() {
      return state.calls;
    },
    set calls(n: number) {
      state.calls = n;
    },
    get failWith() {
      return state.failWith;
    },
    set failWith(n: number) {
      state.failWith = n;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(n: number) {
      state.delayMs = n;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

export interface TestService extends AsyncDisposable {
  service: RunningCacheService;
  url: string;
  dir: string;
  store: ObjectStore;
  tokenFile: string;
  tokens: { alice: string; bob: string };
  clock: ManualClock;
  logs: string[];
}

/** A service over a temp FsStore (or `store`), token-file auth with alice and bob. */
export async function startService(
  options: Partial<CacheServiceOptions> & {
    store?: ObjectStore;
    auth?: AuthProvider;
    /** The background sweep's interval (default here: none). */
    sweepIntervalMs?: number;
    /** See `ServeCacheOptions.headerTimeoutMs`. */
    headerTimeoutMs?: number;
    /** See `ServeCacheOptions.maxIdleConnections`. */
    maxIdleConnections?: number;
    /**
     * Whether the store tells its own time (default false: its
     * `serverTime` follows the test's clock, as the time a test moves on
     * passes for the store too, and expiry refuses to remove anything
     * while the service's clock runs ahead of the store's).
     */
    realStoreTime?: boolean;
  } = {},
): Promise<TestService> {
  const dir = await Deno.makeTempDir({ prefix: "vc_serve_test_" });
  const tokenFile = `${dir}/tokens.json`;
  const clock = new ManualClock();
  const { realStoreTime, ...rest } = options;
  const given = options.store ?? new FsStore(`${dir}/store`);
  const store = realStoreTime ? given : timedBy(given, clock);
  const logs: string[] = [];
  let tokens: TestService["tokens"];
  let service: RunningCacheService;
  try {
    tokens = {
      alice: await addToken(tokenFile, "alice"),
      bob: await addToken(tokenFile, "bob"),
    };
    service = await serveCache({
      clock,
      log: (line) => logs.push(line),
      auth: new TokenFileAuth({ path: tokenFile }),
      sweepIntervalMs: 0,
      ...rest,
      store,
      port: 0,
    });
  } catch (error) {
    // Nothing will dispose of a service that did not start: its dir goes here.
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    service,
    url: service.url,
    dir,
    store,
    tokenFile,
    tokens,
    clock,
    logs,
    async [Symbol.asyncDispose]() {
      try {
        await service.shutdown();
        await store.close();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

/** `POST /v1/cache_id` and the parsed answer. */
export async function newCacheId(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; doc: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: token, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, doc: await res.json() };
}

/** Uploads `content` as field `file` with `filename`. */
export async function upload(
  url: string,
  token: string,
  id: string,
  content: string | Uint8Array,
  filename = "out.txt",
  type = "text/plain",
): Promise<{ status: number; doc: Record<string, unknown> }> {
  const form = new FormData();
  form.append("file", new Blob([content as BlobPart], { type }), filename);
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token },
    body: form,
  });
  return { status: res.status, doc: await res.json() };
}

/** A running {@linkcode heldUpload}. */
export interface HeldUpload {
  /** The service's answer, once `finish` has sent the rest. */
  answer: Promise<Response>;
  /** Sends the rest of the upload's body. */
  finish(): void;
}

/**
 * An upload that sends its head and part of its file, then waits for
 * `finish`: it holds its slot (and its identity's) all that while.
 */
export function heldUpload(url: string, token: string, id: string): HeldUpload {
  const enc = new TextEncoder();
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  push.enqueue(enc.encode(
    `--bnd\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nheld-`,
  ));
  const answer = fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token, "content-type": "multipart/form-data; boundary=bnd" },
    body,
  });
  return {
    answer,
    finish() {
      push.enqueue(enc.encode(`done\r\n--bnd--\r\n`));
      push.close();
    },
  };
}

/** A service's gauges of one kind of transfer, from `/metrics`. */
export interface TransferGauges {
  /** `vc_serve_uploads_active` / `vc_serve_downloads_active`. */
  active: number;
  /** `vc_serve_uploads_queued` / `vc_serve_downloads_queued`. */
  queued: number;
}

/** The service's `uploads` or `downloads` gauges from `/metrics`. */
export async function transferGauges(
  url: string,
  kind: "uploads" | "downloads",
): Promise<TransferGauges> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
  return { active: gauge(`vc_serve_${kind}_active`), queued: gauge(`vc_serve_${kind}_queued`) };
}

/**
 * Waits (bounded: 500 looks, 10 ms apart) until `test` holds of the
 * service's `kind` gauges, and gives the last ones read: a transfer is
 * counted once the service has read its request, not when `fetch` returns.
 */
export async function untilGauges(
  url: string,
  kind: "uploads" | "downloads",
  test: (g: TransferGauges) => boolean,
): Promise<TransferGauges> {
  let g = await transferGauges(url, kind);
  for (let i = 0; i < 500 && !test(g); i++) {
    await new Promise((r) => setTimeout(r, 10));
    g = await transferGauges(url, kind);
  }
  return g;
}

/**
 * Checks that `createHandler` refuses each of `bad` for the option `name`
 * with an {@linkcode InvalidInputError} whose message holds `says`.
 */
export async function assertHandlerRefuses(
  name: keyof CacheServiceOptions,
  bad: readonly unknown[],
  says: string,
): Promise<void> {
  await using store = new MemoryStore();
  for (const value of bad) {
    const e = assertThrows(
      () => createHandler({ store, auth: { authenticate: () => Promise.reject() }, [name]: value }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, says);
  }
}

/** A service's log line (one JSON object), as {@linkcode logRecord} gives it. */
export type LogRecord = Record<string, unknown>;

/**
 * The first of a service's log lines (`logs`, JSON) that `match` takes,
 * waiting for it to be written (bounded: 200 looks, 25 ms apart): a line is
 * written once its response has ended. Throws, quoting the log, when none
 * comes.
 */
export async function logRecord(
  logs: readonly string[],
  match: (record: LogRecord) => boolean,
): Promise<LogRecord> {
  for (let i = 0; i < 200; i++) {
    const found = logs.map((l) => JSON.parse(l) as LogRecord).find(match);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no such log line in:\n${logs.join("\n")}`);
}

/** Keys in the store under `prefix`. */
export async function keys(store: ObjectStore, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out;
}

/**
 * An S3Store on the fake S3 at `endpoint` (bucket `cache`) set up as `vc
 * serve` sets up its store: its own HTTP/1.1 client, and multipart uploads of
 * 5 MiB parts (the least S3 takes), so a few MiB exercise them.
 */
export function serviceS3Store(endpoint: string, prefix?: string): S3Store {
  return new S3Store({
    bucket: "cache",
    ...(prefix === undefined ? {} : { prefix }),
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    multipartThreshold: 5 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
    http1: true,
  });
}

/**
 * `inner`, with deletes of keys under `failing.prefix` rejected (a
 * `StoreError` of `failing.status`, default 500) while the prefix is set.
 */
export function failingDeletes(
  inner: ObjectStore,
  failing: { prefix: string | undefined; status?: number },
): ObjectStore {
  const del = (keys: string[], options?: DeleteOptions) => {
    const prefix = failing.prefix;
    if (prefix !== undefined && keys.some((k) => k.startsWith(prefix))) {
      const status = failing.status ?? 500;
      return Promise.reject(new StoreError(`DELETE failed: ${status} (injected)`, { status }));
    }
    return inner.delete(keys, options);
  };
  return overriding(inner, { delete: del });
}

/**
 * Sends `request` (a whole request, as bytes or text) on a fresh connection
 * and reads the answer until the server closes it (at most 10 s): for what a
 * client library would not send.
 */
export async function rawRequest(url: string, request: string | Uint8Array): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(typeof request === "string" ? new TextEncoder().encode(request) : request);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
  } finally {
    conn.close();
  }
}

/**
 * A cache service over an FsStore in `dir/store` that takes any token as
 * the user of that name, with no access log and no sweeps; `extra` adds or
 * overrides options. Disposing it shuts it down (`dir` stays the caller's).
 */
export function anyTokenService(
  dir: string,
  extra: Partial<ServeCacheOptions> = {},
): Promise<RunningCacheService> {
  return serveCache({
    store: new FsStore(`${dir}/store`),
    port: 0,
    log: () => {},
    sweepIntervalMs: 0,
    auth: { authenticate: (t) => Promise.resolve({ tokenId: `t:${t}`, name: t }) },
    ...extra,
  });
}

/** A running {@linkcode serviceWithResult}. */
export interface ServiceWithResult extends AsyncDisposable {
  service: RunningCacheService;
  /** A client of user `alice`'s. */
  client: CacheClient;
  /** Alice's cache ID holding the file `result`. */
  cacheId: string;
}

/**
 * For client tests: a service over an FsStore in `dir/store` that takes any
 * token as the user of that name, and alice's cache ID holding "result".
 * Disposing it shuts the service down (`dir` stays the caller's).
 */
export async function serviceWithResult(dir: string): Promise<ServiceWithResult> {
  const service = await anyTokenService(dir, { hostname: "127.0.0.1" });
  try {
    const client = new CacheClient({ url: service.url, token: "alice" });
    const { cacheId } = await client.id({ sample: 1 });
    await client.put(cacheId, new TextEncoder().encode("result"));
    return { service, client, cacheId, [Symbol.asyncDispose]: () => service.shutdown() };
  } catch (error) {
    await service.shutdown();
    throw error;
  }
}
