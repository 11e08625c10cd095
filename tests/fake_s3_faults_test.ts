// Fault injection of the fake S3 server, observed the way clients see it:
// raw fetch for the exact wire behaviour, @aws-sdk/client-s3 for what vc's
// S3Store will experience.
import assert from "node:assert/strict";
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { InvalidInputError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import {
  type FakeS3,
  type FaultOptions,
  type RequestLogEntry,
  startFakeS3,
} from "../src/testing/mod.ts";

const dec = new TextDecoder();

function makeClient(url: string, maxAttempts: number): S3Client {
  return new S3Client({
    endpoint: url,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts,
  });
}

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** Reads a body until it ends or fails; reports the bytes and whether it failed. */
async function readAll(res: Response): Promise<{ bytes: Uint8Array; failed: boolean }> {
  const parts: Uint8Array[] = [];
  let failed = false;
  try {
    for await (const chunk of res.body!) parts.push(chunk);
  } catch {
    failed = true;
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, failed };
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return res.status;
}

async function withServer(fn: (s3: FakeS3) => Promise<void>): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "obj", pattern(100_000));
  await fn(s3);
}

Deno.test("failNext(n, 'slowdown') fails exactly the next n requests with 503 SlowDown", async () => {
  await withServer(async (s3) => {
    s3.failNext(2, "slowdown");
    const first = await fetch(`${s3.url}/b/obj`);
    assert.equal(first.status, 503);
    assert.match(await first.text(), /<Code>SlowDown<\/Code>/);
    assert.equal(await status(`${s3.url}/b/obj`), 503);
    assert.equal(await status(`${s3.url}/b/obj`), 200);
    assert.equal(s3.stats.GetObject, 3);
    assert.equal(s3.stats.faults, 2);
  });
});

Deno.test("injected errors do not run the operation", async () => {
  await withServer(async (s3) => {
    s3.failNext(1, "internal");
    const res = await fetch(`${s3.url}/b/new`, { method: "PUT", body: "data" });
    assert.equal(res.status, 500);
    assert.match(await res.text(), /<Code>InternalError<\/Code>/);
    assert.equal(s3.headObject("b", "new"), undefined);
    assert.equal(await status(`${s3.url}/b/new`, { method: "PUT", body: "data" }), 200);
    assert.equal(s3.headObject("b", "new")?.size, 4);
  });
});

Deno.test("the SDK retries injected 500s and succeeds; without retries it sees InternalError", async () => {
  await withServer(async (s3) => {
    const retrying = makeClient(s3.url, 3);
    const single = makeClient(s3.url, 1);
    try {
      s3.failNext(2, "internal");
      const got = await retrying.send(new GetObjectCommand({ Bucket: "b", Key: "obj" }));
      assert.deepEqual(await got.Body!.transformToByteArray(), pattern(100_000));
      assert.equal(s3.stats.GetObject, 3);
      s3.failNext(1, "internal");
      await assert.rejects(
        single.send(new HeadObjectCommand({ Bucket: "b", Key: "obj" })),
        (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 500,
      );
      s3.failNext(1, "slowdown");
      await assert.rejects(
        single.send(new GetObjectCommand({ Bucket: "b", Key: "obj" })),
        (e: Error) => e.name === "SlowDown",
      );
    } finally {
      retrying.destroy();
      single.destroy();
    }
  });
});

Deno.test("errorRate is seeded: the same seed gives the same failures", async () => {
  const run = async (seed: number, errorKind: "internal" | "slowdown") => {
    await using s3 = await startFakeS3({
      buckets: ["b"],
      faults: { errorRate: 0.3, seed, errorKind },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      statuses.push(await status(`${s3.url}/b/k${i}`, { method: "PUT", body: "x" }));
    }
    assert.equal(s3.stats.faults, statuses.filter((s) => s !== 200).length);
    return statuses;
  };
  const a = await run(42, "internal");
  const b = await run(42, "internal");
  const c = await run(7, "slowdown");
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((s) => s === 200), c.map((s) => s === 200));
  const failures = a.filter((s) => s === 500).length;
  assert.ok(failures >= 15 && failures <= 45, `30% of 100 expected, got ${failures}`);
  assert.ok(a.every((s) => s === 200 || s === 500));
  assert.ok(c.every((s) => s === 200 || s === 503));
});

Deno.test("truncate: full Content-Length, body ends early, the client notices", async () => {
  await withServer(async (s3) => {
    // Queued truncation skips requests it cannot apply to (a PUT, a HEAD).
    s3.failNext(1, "truncate");
    assert.equal(await status(`${s3.url}/b/other`, { method: "PUT", body: "x" }), 200);
    assert.equal(await status(`${s3.url}/b/obj`, { method: "HEAD" }), 200);
    const res = await fetch(`${s3.url}/b/obj`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "100000");
    const { bytes, failed } = await readAll(res);
    assert.ok(failed || bytes.length < 100_000, "the body must not arrive whole");
    assert.ok(bytes.length <= 50_000, `at most half arrives, got ${bytes.length}`);
    assert.deepEqual(bytes, pattern(100_000).subarray(0, bytes.length));
    assert.equal(s3.stats.faults, 1);

    const client = makeClient(s3.url, 1);
    try {
      s3.setFaults({ truncateRate: 1 });
      const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "obj" }));
      assert.equal(got.ContentLength, 100_000);
      await assert.rejects(got.Body!.transformToByteArray());
    } finally {
      client.destroy();
    }
  });
});

Deno.test("corrupt: same length and ETag, different bytes; stored data is untouched", async () => {
  await withServer(async (s3) => {
    const original = pattern(100_000);
    s3.failNext(1, "corrupt");
    const res = await fetch(`${s3.url}/b/obj`);
    const etag = res.headers.get("etag");
    const { bytes, failed } = await readAll(res);
    assert.equal(failed, false);
    assert.equal(bytes.length, original.length);
    assert.equal(etag, `"${md5Hex(original)}"`);
    assert.notEqual(md5Hex(bytes), md5Hex(original));
    const differing = bytes.reduce((n, b, i) => n + (b !== original[i] ? 1 : 0), 0);
    assert.equal(differing, 1);
    assert.deepEqual(await s3.getObject("b", "obj"), original);

    const client = makeClient(s3.url, 1);
    try {
      s3.faults = { corruptRate: 1 };
      const got = await client.send(
        new GetObjectCommand({ Bucket: "b", Key: "obj", Range: "bytes=0-999" }),
      );
      const ranged = await got.Body!.transformToByteArray();
      assert.equal(ranged.length, 1000);
      assert.notDeepEqual(ranged, original.subarray(0, 1000));
      s3.clearFaults();
      const clean = await client.send(new GetObjectCommand({ Bucket: "b", Key: "obj" }));
      assert.equal(md5Hex(await clean.Body!.transformToByteArray()), md5Hex(original));
    } finally {
      client.destroy();
    }
  });
});

Deno.test("reset: GET breaks mid-body; PUT breaks before running; HEAD gets a 500", async () => {
  await withServer(async (s3) => {
    s3.failNext(1, "reset");
    const res = await fetch(`${s3.url}/b/obj`);
    assert.equal(res.status, 200);
    const { bytes, failed } = await readAll(res);
    assert.ok(failed, "reading the body must fail");
    assert.ok(bytes.length < 100_000);

    s3.failNext(1, "reset");
    await assert.rejects(async () => {
      const put = await fetch(`${s3.url}/b/never`, { method: "PUT", body: "x" });
      await put.arrayBuffer();
    });
    assert.equal(s3.headObject("b", "never"), undefined);

    s3.failNext(1, "reset");
    assert.equal(await status(`${s3.url}/b/obj`, { method: "HEAD" }), 500);

    const client = makeClient(s3.url, 1);
    try {
      s3.failNext(1, "reset");
      await assert.rejects(async () => {
        const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "obj" }));
        await got.Body!.transformToByteArray();
      });
      s3.failNext(1, "reset");
      await assert.rejects(
        client.send(new PutObjectCommand({ Bucket: "b", Key: "never", Body: "x" })),
      );
      assert.equal(s3.headObject("b", "never"), undefined);
    } finally {
      client.destroy();
    }
    // The server keeps serving after resets.
    assert.equal(await status(`${s3.url}/b/obj`), 200);
  });
});

Deno.test("lostResponse: the write happens, the client sees a failure; a create-once retry gets 412", async () => {
  await withServer(async (s3) => {
    const client = makeClient(s3.url, 1);
    try {
      s3.failNext(1, "lostResponse");
      await assert.rejects(
        client.send(
          new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v1", IfNoneMatch: "*" }),
        ),
      );
      assert.equal(dec.decode(await s3.getObject("b", "once")), "v1");
      await assert.rejects(
        client.send(
          new PutObjectCommand({ Bucket: "b", Key: "once", Body: "v1", IfNoneMatch: "*" }),
        ),
        (e: Error) => e.name === "PreconditionFailed",
      );
    } finally {
      client.destroy();
    }
    s3.failNext(1, "lostResponse");
    await assert.rejects(async () => {
      const del = await fetch(`${s3.url}/b/once`, { method: "DELETE" });
      await del.arrayBuffer();
    });
    assert.equal(s3.headObject("b", "once"), undefined);
  });
});

Deno.test("match targets faults by operation and key; other requests are untouched", async () => {
  await withServer(async (s3) => {
    s3.setFaults({
      errorRate: 1,
      match: ({ op, key }) => op === "PutObject" && key?.startsWith("x/") === true,
    });
    assert.equal(await status(`${s3.url}/b/x/1`, { method: "PUT", body: "x" }), 500);
    assert.equal(await status(`${s3.url}/b/y/1`, { method: "PUT", body: "y" }), 200);
    assert.equal(await status(`${s3.url}/b/obj`), 200);
    s3.clearFaults();
    s3.failNext(1, "slowdown", ({ key }) => key === "target");
    assert.equal(await status(`${s3.url}/b/obj`), 200);
    assert.equal(await status(`${s3.url}/b/target`, { method: "PUT", body: "t" }), 503);
    assert.equal(await status(`${s3.url}/b/target`, { method: "PUT", body: "t" }), 200);
  });
});

Deno.test("latencyMs delays matching requests only", async () => {
  const log: RequestLogEntry[] = [];
  await using s3 = await startFakeS3({
    buckets: ["b"],
    latencyMs: 2_000,
    faults: { match: ({ key }) => key === "slow" },
    onRequest: (e) => log.push(e),
  });
  const started = performance.now();
  let slowDone = false;
  const slow = status(`${s3.url}/b/slow`, { method: "PUT", body: "s" }).finally(() =>
    slowDone = true
  );
  // An ordering, not a time bound: the unmatched request is answered while
  // the delayed one still waits (a busy machine cannot flip that).
  assert.equal(await status(`${s3.url}/b/fast`, { method: "PUT", body: "f" }), 200);
  assert.equal(slowDone, false, "the unmatched request was not held behind the delayed one");
  assert.equal(await slow, 200);
  assert.ok(performance.now() - started >= 1_995, "the slow request waited");
  assert.equal(log.length, 2);
  const slowEntry = log.find((e) => e.path.endsWith("/slow"));
  assert.ok(slowEntry, "the delayed request was logged");
  assert.ok(slowEntry.ms >= 1_995, `the log says it waited ${slowEntry.ms} ms`);
  assert.equal(s3.faults.latencyMs, 2_000);
  assert.equal(s3.stats.faults, 0, "latency alone is not a fault");
});

Deno.test("hold keeps matching requests back until it settles; others are answered meanwhile", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const gate = Promise.withResolvers<void>();
  s3.setFaults({ hold: gate.promise, match: ({ key }) => key === "held" });
  let heldDone = false;
  const held = status(`${s3.url}/b/held`, { method: "PUT", body: "h" }).finally(() =>
    heldDone = true
  );
  // However late a loaded machine runs them, the other requests are answered
  // first: the held one waits for the test, not for a clock.
  for (const key of ["a", "b", "c"]) {
    assert.equal(await status(`${s3.url}/b/${key}`, { method: "PUT", body: key }), 200);
  }
  assert.equal(heldDone, false, "the held request was answered before it was let go");
  gate.resolve();
  assert.equal(await held, 200);
  assert.equal(s3.stats.faults, 0, "a hold alone is not a fault");
  // A rejected hold lets its requests go too; a hold that is no promise is refused.
  const rejected = Promise.reject(new Error("let go"));
  rejected.catch(() => {}); // the server's wait handles it; not unhandled before that
  s3.setFaults({ hold: rejected });
  assert.equal(await status(`${s3.url}/b/held`), 200);
  assert.throws(
    () => s3.setFaults({ hold: 5 as unknown as Promise<void> }),
    (e) => e instanceof InvalidInputError && e.message.includes("hold"),
  );
});

Deno.test("fault settings are validated and replaceable at runtime", async () => {
  await withServer(async (s3) => {
    assert.throws(() => s3.setFaults({ errorRate: 2 }), InvalidInputError);
    assert.throws(() => (s3.faults = { corruptRate: -0.1 }), InvalidInputError);
    assert.throws(() => s3.setFaults({ latencyMs: -1 }), InvalidInputError);
    assert.throws(() => s3.failNext(1, "boom" as "reset"), InvalidInputError);
    assert.throws(() => s3.failNext(-1, "reset"), InvalidInputError);
    // A misspelt fault would inject nothing: refused, with the spelling meant.
    assert.throws(
      () => s3.setFaults({ errorrate: 1 } as FaultOptions),
      /unknown option "errorrate"; did you mean "errorRate"/,
    );
    s3.faults = { errorRate: 1, errorKind: "slowdown" };
    assert.deepEqual(s3.faults, { errorRate: 1, errorKind: "slowdown" });
    assert.equal(await status(`${s3.url}/b/obj`), 503);
    s3.faults = {};
    assert.equal(await status(`${s3.url}/b/obj`), 200);
    s3.failNext(3, "internal");
    s3.clearFaults();
    assert.equal(await status(`${s3.url}/b/obj`), 200);
  });
});

Deno.test("the request log carries each request's headers (Range, If-Match, the access key)", async () => {
  const log: RequestLogEntry[] = [];
  await using s3 = await startFakeS3({ buckets: ["b"], onRequest: (e) => log.push(e) });
  await s3.putObject("b", "k", new TextEncoder().encode("hello"));
  const headers = {
    range: "bytes=1-2",
    "if-match": '"5d41402abc4b2a76b9719d911017c592"',
    authorization: "AWS4-HMAC-SHA256 Credential=proc7/20260101/us-east-1/s3/aws4_request",
  };
  assert.equal(await status(`${s3.url}/b/k`, { headers }), 206);
  assert.equal(log.length, 1);
  assert.equal(log[0]!.headers["range"], "bytes=1-2");
  assert.equal(log[0]!.headers["if-match"], headers["if-match"]);
  assert.match(log[0]!.headers["authorization"]!, /Credential=proc7\//);
});

Deno.test("startFakeS3: a fault given beside the options, not in faults, names the faults option", async () => {
  for (const key of ["errorRate", "errorrate", "resetRate", "seed"]) {
    await assert.rejects(
      () => startFakeS3({ [key]: 0.2 } as never),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.message.includes(`"${key === "errorrate" ? "errorRate" : key}" is an option of faults`),
    );
  }
});
