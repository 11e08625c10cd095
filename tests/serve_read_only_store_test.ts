/**
 * A store that refuses the service's writes (a `file://` directory that is
 * read-only, or that the service's user may not write; an S3 bucket whose
 * policy denies the put) is an operator's problem, as a full disk is: the
 * client gets 503 with `Retry-After` and a JSON error saying so, never a 500
 * "internal error", and the log line names the path and the cause.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import { FsStore } from "../src/store/fs.ts";
import { AccessDeniedError, StoreError } from "../src/errors.ts";
import type { GetOptions, GetResult, PutBody, PutOptions, PutResult } from "../src/store/types.ts";

/** Refuses writes as FsStore does on a read-only file system (EROFS). */
class ReadOnlyStore extends WrappingStore {
  refuseWrites = false;
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    if (this.refuseWrites) {
      if (body instanceof ReadableStream) await body.cancel().catch(() => {});
      const cause = Object.assign(new Error("Read-only file system (os error 30)"), {
        code: "EROFS",
      });
      throw new AccessDeniedError(
        `put ${key} in ${this.url} failed: Read-only file system (os error 30)`,
        { cause },
      );
    }
    return await super.put(key, body, options);
  }
}

Deno.test("serve: a read-only store answers 503 with a clear error, and the log names the path", async () => {
  const dir = await Deno.makeTempDir();
  const store = new ReadOnlyStore(new FsStore(`${dir}/store`));
  try {
    await using t = await startService({ store });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    store.refuseWrites = true;
    const form = new FormData();
    form.append("file", new Blob(["hello"]), "x.txt");
    const answers = [
      await fetch(`${t.url}/v1/cache/${id}`, {
        method: "POST",
        headers: { authorization: t.tokens.alice },
        body: form,
      }),
      await fetch(`${t.url}/v1/cache_id`, {
        method: "POST",
        headers: { authorization: t.tokens.alice, "content-type": "application/json" },
        body: '{"k": 2}',
      }),
    ];
    for (const res of answers) {
      const body = await res.json();
      assertEquals(res.status, 503, JSON.stringify(body));
      assertEquals(res.headers.get("retry-after"), "5");
      assertEquals(body.status, "error");
      assertStringIncludes(body.error, "the store refused the service's access");
      assertStringIncludes(body.error, "request id");
    }
    await new Promise((r) => setTimeout(r, 50));
    const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.status === 503);
    assertEquals(lines.length, 2, t.logs.join("\n"));
    for (const line of lines) {
      assertStringIncludes(line.error, store.url);
      assertStringIncludes(line.error, "Read-only file system");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Refuses to read files under `data/` as S3Store does an object S3 archived to Glacier. */
class ArchivingStore extends WrappingStore {
  archived = false;
  override get(key: string, options?: GetOptions): Promise<GetResult> {
    if (this.archived && key.includes("data/")) {
      return Promise.reject(
        new StoreError(
          `GET s3://bkt/${key}: the object is archived (storage class GLACIER) and cannot be read ` +
            "until it is restored (403 InvalidObjectState)",
          { status: 403 },
        ),
      );
    }
    return super.get(key, options);
  }
}

Deno.test("serve: a file the store archived (S3 403 InvalidObjectState) answers 503, not 500", async () => {
  const dir = await Deno.makeTempDir();
  const store = new ArchivingStore(new FsStore(`${dir}/store`));
  try {
    await using t = await startService({ store });
    const { doc } = await newCacheId(t.url, t.tokens.alice, { k: 1 });
    const id = doc.cache_id as string;
    const form = new FormData();
    form.append("file", new Blob(["hello"]), "x.txt");
    const put = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: { authorization: t.tokens.alice },
      body: form,
    });
    assertEquals(put.status, 200, await put.text());
    store.archived = true;
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    const body = await res.json();
    assertEquals(res.status, 503, JSON.stringify(body));
    assertEquals(res.headers.get("retry-after"), "5");
    assertStringIncludes(body.error, "the store refused the service's access");
    await new Promise((r) => setTimeout(r, 50));
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.status === 503);
    assertStringIncludes(line?.error ?? t.logs.join("\n"), "archived (storage class GLACIER)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
