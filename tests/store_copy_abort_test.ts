/**
 * A copy takes an `AbortSignal` (`CopyOptions.signal`): an S3 CopyObject of
 * a large object is one request that can take minutes, and `vc adopt` runs
 * up to eight at once, so Ctrl-C waited for every one. Aborted while the
 * server holds the copy back, the copy (and adopt) rejects with the abort's
 * reason at once, and a copy in parts leaves no upload behind. (An aborted
 * copy in every store copies nothing: `src/testing/store_contract.ts`.)
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import type { S3Operation } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const text = (s: string) => new TextEncoder().encode(s);

type FakeS3Server = Awaited<ReturnType<typeof startFakeS3>>;

// Holds every `op` request until `release`, and says when the first came in.
function holdAll(s3: FakeS3Server, op: S3Operation) {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const { promise: arrived, resolve: arrive } = Promise.withResolvers<void>();
  s3.setFaults({
    hold: released,
    match: (t) => {
      if (t.op !== op) return false;
      arrive();
      return true;
    },
  });
  return { arrived, release };
}

function s3Store(s3: FakeS3Server, extra: Record<string, number> = {}): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    env: {},
    maxAttempts: 1,
    ...extra,
  });
}

class Stop extends Error {}

/**
 * Starts `call` with a signal, aborts it once the server holds its first
 * `op` request, and asserts it rejects with the abort's reason; the held
 * requests are released after.
 */
async function abortWhileHeld(
  s3: FakeS3Server,
  op: S3Operation,
  call: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const held = holdAll(s3, op);
  try {
    const stop = new AbortController();
    const running = call(stop.signal);
    await held.arrived;
    stop.abort(new Stop("user stopped"));
    await assertRejects(() => running, Stop, "user stopped");
  } finally {
    held.release();
  }
}

Deno.test("S3Store.copy aborted while the server holds the CopyObject rejects with the abort's reason", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = s3Store(s3);
  await store.put("src.bin", text("weights"));
  await abortWhileHeld(s3, "CopyObject", (signal) => store.copy("src.bin", "dst.bin", { signal }));
});

Deno.test("S3Store.copy in parts aborted while a part copy is held rejects and leaves no upload", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = s3Store(s3, { multipartCopyThreshold: 4, copyPartSize: 4 });
  await store.put("src.bin", text("0123456789"));
  await abortWhileHeld(
    s3,
    "UploadPartCopy",
    (signal) => store.copy("src.bin", "dst.bin", { signal }),
  );
  const left = [];
  for await (const upload of store.pendingUploads("")) left.push(upload.key);
  assertEquals(left, []);
  assertEquals(await store.head("dst.bin"), undefined);
});

Deno.test("adopt aborted while the server holds its copy rejects with the abort's reason", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = s3Store(s3);
  await store.put("d/t-1.0.0.csv", text("a"));
  await abortWhileHeld(
    s3,
    "CopyObject",
    (signal) => adoptOtherNamings(store, "/d/t.csv", { signal }),
  );
  // The copy is one request: whatever the server made of it is whole.
  const there = await store.head("d/t.1.0.0.csv");
  if (there !== undefined) assertEquals(there.size, 1);
});
