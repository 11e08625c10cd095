/**
 * `vc serve` logs an expected store outage (503: the store unreachable,
 * failing, refusing access, gone, full) as the error's name and message,
 * with its causes: it logged the full stack trace, so every request during
 * an outage spread a dozen lines of vc internals over the access log's
 * `error` field, where the operator looks for what failed. A bug of the
 * service's own (500) keeps its stack, which is what finds it.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import { FsStore } from "../src/store/fs.ts";
import { AccessDeniedError, OfflineError, StoreError } from "../src/errors.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";

class FailingStore extends WrappingStore {
  failure: (() => Error) | undefined;
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    if (this.failure !== undefined) throw this.failure();
    return await super.get(key, options);
  }
}

Deno.test("serve: a store outage's 503 logs the error's name and message, a bug's 500 its stack", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FailingStore(new FsStore(`${dir}/store`));
  try {
    await using t = await startService({ store });
    const id = (await newCacheId(t.url, t.tokens.alice, { k: 1 })).doc.cache_id as string;
    const logged = async (failure: () => Error) => {
      store.failure = failure;
      const res = await fetch(`${t.url}/v1/cache/${id}`, {
        headers: { authorization: t.tokens.alice },
      });
      await res.body?.cancel();
      // The line is written when the answer's body is done.
      for (let i = 0; i < 100 && !t.logs.some((l) => JSON.parse(l).status === res.status); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.status === res.status);
      t.logs.length = 0;
      return { status: res.status, error: line?.error as string };
    };
    const outages: [() => Error, number, string][] = [
      [
        () =>
          new OfflineError("GET s3://b/k: cannot reach http://127.0.0.1:1", {
            cause: new TypeError("fetch failed", { cause: new Error("Connection refused") }),
          }),
        503,
        "OfflineError: GET s3://b/k: cannot reach http://127.0.0.1:1: fetch failed: Connection refused",
      ],
      [
        () => new StoreError("GET s3://b/k failed: 503 SlowDown", { status: 503 }),
        503,
        "StoreError: GET s3://b/k failed: 503 SlowDown",
      ],
      [
        () => new AccessDeniedError("GET s3://b/k: 403 AccessDenied"),
        503,
        "AccessDeniedError: GET s3://b/k: 403 AccessDenied",
      ],
    ];
    for (const [failure, status, error] of outages) {
      assertEquals(await logged(failure), { status, error });
    }
    const bug = await logged(() => new TypeError("x is not a function"));
    assertEquals(bug.status, 500);
    assert(bug.error.startsWith("TypeError: x is not a function\n    at "), bug.error);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
