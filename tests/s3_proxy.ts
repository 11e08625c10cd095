/**
 * A proxy in front of the fake S3, for tests of what vc does when something
 * between it and the store misbehaves (answers 200 to everything, puts an
 * `<Error>` in a 200, strips an ETag, asks to retry later): `handle` answers
 * a request itself, or passes it on with `forward()` and may change the
 * answer. The store it gives signs with the fake's test keys.
 */
import { sha256Hex } from "../src/hash.ts";
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/fake_s3/server.ts";
import type { FakeS3, FakeS3Options } from "../src/testing/fake_s3/types.ts";

/**
 * Answers `req`: itself, or with what `forward()` (the fake S3's answer) gives;
 * `forward(body)` sends `body` in place of the request's own, and
 * `forward(undefined, headers)` adds (or replaces) request headers.
 */
export type ProxyHandler = (
  req: Request,
  forward: (body?: string, headers?: Record<string, string>) => Promise<Response>,
) => Response | Promise<Response>;

/** The proxy's store and the fake's own (`direct`), both closed with the servers. */
export interface ProxiedS3 extends AsyncDisposable {
  /** An `S3Store` of bucket `b` reached through the proxy. */
  store: S3Store;
  /** An `S3Store` of the same bucket that goes to the fake S3 directly. */
  direct: S3Store;
  /** The proxy's URL, for a store made otherwise (other credentials). */
  endpoint: string;
  /** The fake S3 behind the proxy (its faults, its objects). */
  fake: FakeS3;
}

/** The fake S3 (bucket `b`) behind a proxy that `handle` runs. */
export async function startS3Proxy(
  handle: ProxyHandler,
  options: { fake?: Omit<FakeS3Options, "buckets">; store?: Partial<S3StoreOptions> } = {},
): Promise<ProxiedS3> {
  // The proxy sends requests on to another host:port than the one signed
  // for, and may change their headers: their signatures are not checked.
  const fake = await startFakeS3({ credentials: false, ...options.fake, buckets: ["b"] });
  const upstream = new URL(fake.url);
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    const forward = (body?: string, extra: Record<string, string> = {}) => {
      const headers = new Headers(req.headers);
      headers.set("host", upstream.host);
      for (const [name, value] of Object.entries(extra)) headers.set(name, value);
      // A replaced body carries its own hash: the fake checks the signed
      // x-amz-content-sha256 against the body, as S3 does.
      if (body !== undefined && headers.get("x-amz-content-sha256") !== "UNSIGNED-PAYLOAD") {
        headers.set("x-amz-content-sha256", sha256Hex(body));
      }
      return fetch(new URL(url.pathname + url.search, upstream), {
        method: req.method,
        headers,
        body: body ?? req.body,
      });
    };
    return handle(req, forward);
  });
  const storeFor = (endpoint: string) =>
    new S3Store({
      bucket: "b",
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      ...options.store,
    });
  const endpoint = `http://127.0.0.1:${proxy.addr.port}`;
  const store = storeFor(endpoint);
  const direct = storeFor(fake.url);
  return {
    store,
    direct,
    endpoint,
    fake,
    async [Symbol.asyncDispose]() {
      await store.close();
      await direct.close();
      await proxy.shutdown();
      await fake[Symbol.asyncDispose]();
    },
  };
}

/** An S3 `<Error>` document, as a proxy or a broken server sends it. */
export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message><RequestId>R1</RequestId></Error>`;
}

/** What a {@linkcode countingS3Proxy} saw: HEADs, listings (ListObjectsV2) and PUTs. */
export interface SeenRequests {
  heads: number;
  lists: number;
  puts: number;
}

/**
 * The fake S3 behind a proxy counting HEADs, listings and PUTs, and answering
 * HEAD 403 while `refuseHeads()` says so (an upload-only key); its store
 * makes one attempt a request.
 */
export async function countingS3Proxy(
  refuseHeads: () => boolean = () => false,
): Promise<{ proxied: ProxiedS3; seen: SeenRequests }> {
  const seen = { heads: 0, lists: 0, puts: 0 };
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "HEAD") {
      seen.heads++;
      if (refuseHeads()) return new Response(null, { status: 403 });
    }
    if (req.method === "GET" && url.searchParams.has("list-type")) seen.lists++;
    if (req.method === "PUT") seen.puts++;
    return await forward();
  }, { store: { maxAttempts: 1 } });
  return { proxied, seen };
}
