/**
 * A store that cannot be reached (refused connections, a timeout, 5xx) is
 * not the client's fault nor a bug of the service: every endpoint answers
 * 503 with `Retry-After`, a JSON body and the request id, never 500; an
 * error of the service itself stays a 500.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import { FsStore } from "../src/store/fs.ts";
import { OfflineError, StoreError } from "../src/errors.ts";
import type {
  GetOptions,
  GetResult,
  ObjectInfo,
  PutBody,
  PutOptions,
  PutResult,
} from "../src/store/types.ts";

class FailingStore extends WrappingStore {
  failure: (() => Error) | undefined;
  #fail(): void {
    if (this.failure !== undefined) throw this.failure();
  }
  override async head(key: string): Promise<ObjectInfo | undefined> {
    this.#fail();
    return await super.head(key);
  }
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    this.#fail();
    return await super.get(key, options);
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    this.#fail();
    return await super.put(key, body, options);
  }
}

Deno.test("serve: a store that is down answers 503 with Retry-After on every endpoint", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FailingStore(new FsStore(`${dir}/store`));
  try {
    await using t = await startService({ store });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    const failures: [string, () => Error][] = [
      ["refused", () => new OfflineError("cannot reach http://127.0.0.1:1 (connection refused)")],
      ["5xx", () => new StoreError("GET s3://b/k: 503 SlowDown", { status: 503 })],
      ["reset", () => new Deno.errors.ConnectionRefused("Connection refused (os error 111)")],
    ];
    for (const [what, failure] of failures) {
      store.failure = failure;
      const form = new FormData();
      form.append("file", new Blob(["x"]), "x.txt");
      const answers = await Promise.all([
        fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: t.tokens.alice } }),
        fetch(`${t.url}/v1/cache/${id}`, {
          method: "POST",
          headers: { authorization: t.tokens.alice },
          body: form,
        }),
      ]);
      for (const res of answers) {
        assertEquals(res.status, 503, what);
        assertEquals(res.headers.get("retry-after"), "5");
        const body = await res.json();
        assertEquals(body.status, "error");
        assertStringIncludes(body.error, "the store is unavailable");
      }
    }
    // A bug of the service's own is still a 500.
    store.failure = () => new TypeError("x is not a function");
    const bug = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(bug.status, 500);
    await bug.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
