/**
 * The fake S3 behind a proxy that sets the `Date` of every answer: a store
 * whose clock differs from this machine's, or that tells no time.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FakeS3 } from "../src/testing/mod.ts";

/** The fake S3, seen through a proxy whose answers carry `date()` as their `Date`. */
export async function s3WithDate(date: () => string): Promise<
  AsyncDisposable & { fake: FakeS3; url: string }
> {
  const fake = await startFakeS3({ buckets: ["cache"], credentials: false });
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("host");
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const res = await fetch(`${fake.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: hasBody ? await req.arrayBuffer() : null,
      redirect: "manual",
    });
    const out = new Headers(res.headers);
    out.set("date", date());
    const bodiless = req.method === "HEAD" || [204, 304].includes(res.status);
    const body = bodiless ? null : await res.arrayBuffer();
    if (bodiless) await res.body?.cancel();
    return new Response(body, { status: res.status, headers: out });
  });
  return {
    fake,
    url: `http://127.0.0.1:${proxy.addr.port}`,
    async [Symbol.asyncDispose]() {
      await proxy.shutdown();
      await fake[Symbol.asyncDispose]();
    },
  };
}
