/**
 * A create-only PUT whose first answer was lost gets 412 on its retry; vc
 * then reads the object back to tell its own write from another writer's.
 * When that read back failed (a role allowed to PUT but not to GET, a
 * server error after retries), its error replaced the 412: the caller got
 * an `AccessDeniedError` or a `StoreError` for a PUT that had in fact been
 * answered "the key already exists", and a versioned publish that retries
 * on `PreconditionFailedError` (the next version) no longer could. It now
 * gets the `PreconditionFailedError`, saying that the read back failed and
 * why, the read back's error as its cause.
 */
import { assert, assertMatch, assertRejects } from "./assert.ts";
import { AccessDeniedError, PreconditionFailedError } from "../src/errors.ts";
import { startS3Proxy } from "./s3_proxy.ts";

const DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";

for (const method of ["GET", "HEAD"]) {
  Deno.test(`create-only PUT, its answer lost: a read back whose ${method} is denied still says the key exists`, async () => {
    await using proxied = await startS3Proxy(async (req, forward) => {
      if (req.method === "PUT") {
        return await forward(undefined, { "x-amz-server-side-encryption": "aws:kms" });
      }
      if (req.method === method && new URL(req.url).search === "") {
        await req.body?.cancel();
        return new Response(method === "HEAD" ? null : DENIED, {
          status: 403,
          headers: { "content-type": "application/xml" },
        });
      }
      return await forward(undefined, { "x-amz-server-side-encryption": "aws:kms" });
    }, { store: { maxAttempts: 3 } });
    proxied.fake.failNext(1, "lostResponse", (r) => r.op === "PutObject");
    const error = await assertRejects(
      () => proxied.store.put("k.txt", new TextEncoder().encode("ours"), { ifNoneMatch: "*" }),
      PreconditionFailedError,
    );
    assertMatch(error.message, /already exists/);
    assertMatch(error.message, /read(ing)? (it )?back/);
    assert(error.cause instanceof AccessDeniedError, String(error.cause));
    assert(error.message.includes((error.cause as Error).message), error.message);
  });
}
