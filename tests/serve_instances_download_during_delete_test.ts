/**
 * Instances behind one load balancer: a download streaming from one
 * instance while another deletes or replaces its file gets the whole old
 * file (what "Several instances on one store" promises), over a directory
 * store and over S3. A regression guard: the replaced data object is
 * deleted as soon as the switch lands, while the download still reads it
 * (the downloading instance's reads of the data past its first chunk are
 * held until the other instance is done, so they do come after).
 */
import { FsStore } from "../src/store/fs.ts";
import type { GetOptions, ObjectStore } from "../src/store/types.ts";
import { TokenFileAuth } from "../src/server/auth.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { newCacheId, serviceS3Store, startService, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

/** Well past what a download reads whole (64 KiB). */
const SIZE = 2 * 1024 * 1024;

/** `store`, whose data bodies give their first chunk, then wait for `gate`. */
function held(store: ObjectStore, gate: Promise<void>): ObjectStore {
  const get = async (key: string, options?: GetOptions) => {
    const result = await store.get(key, options);
    if (!key.startsWith("data/")) return result;
    const reader = result.body.getReader();
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (!first) await gate;
        first = false;
        const { done, value } = await reader.read();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel: (why) => reader.cancel(why),
    });
    return { ...result, body };
  };
  return overriding(store, { get });
}

async function downloadAcross(
  stores: () => ObjectStore,
  then: (url: string, token: string, id: string) => Promise<number>,
) {
  let open!: () => void;
  const gate = new Promise<void>((r) => open = r);
  await using a = await startService({ store: held(stores(), gate) });
  await using b = await startService({
    store: stores(),
    auth: new TokenFileAuth({ path: a.tokenFile }),
  });
  const alice = a.tokens.alice;
  const id = (await newCacheId(a.url, alice, { big: 1 })).doc.cache_id as string;
  assertEquals(
    (await upload(a.url, alice, id, new Uint8Array(SIZE).fill(7), "old.bin")).status,
    200,
  );
  const res = await fetch(`${a.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  const reader = res.body!.getReader();
  let bytes = 0;
  let others = 0;
  const take = (chunk: Uint8Array) => {
    bytes += chunk.length;
    others += chunk.filter((x) => x !== 7).length;
  };
  take((await reader.read()).value!);
  assertEquals(await then(b.url, alice, id), 200);
  open();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    take(value);
  }
  assertEquals([bytes, others], [SIZE, 0]);
}

const remove = async (url: string, token: string, id: string) => {
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: token },
  });
  await res.body?.cancel();
  return res.status;
};
const replace = async (url: string, token: string, id: string) =>
  (await upload(url, token, id, new Uint8Array(SIZE).fill(9), "new.bin")).status;

for (const [what, then] of [["deletes", remove], ["replaces", replace]] as const) {
  Deno.test(`serve instances (directory store): a download goes on whole while another instance ${what} its file`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_download_during_delete_" });
    try {
      await downloadAcross(() => new FsStore(`${dir}/store`), then);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`serve instances (S3): a download goes on whole while another instance ${what} its file`, async () => {
    await using fake = await startFakeS3({ buckets: ["cache"] });
    await downloadAcross(() => serviceS3Store(fake.url, "svc"), then);
  });
}
