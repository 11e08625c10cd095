/**
 * A renamed file's copy in the store (see mirror_rename_copy_test.ts) cut
 * short by Ctrl-C: the interrupted report names it as cut short, as it
 * names an upload (a user told "the rest was not mirrored" with nothing cut
 * short would not know a copy of gigabytes was dropped), no multipart copy
 * stays open in the bucket, and the next run ends with the prefix equal to
 * the directory.
 */
import { join } from "node:path";
import { mirror, MirrorInterruptedError } from "../src/mirror/mod.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { assert, assertEquals } from "./assert.ts";
import { openUploads, requestsEnding } from "./interrupt_helpers.ts";
import { RACY_MS, settle, tempDir } from "./mirror_helpers.ts";

const SIZE = 2 * 1024 * 1024;
const LATENCY_MS = 3_000;

/** Keys under `prefix` in the store. */
async function keys(store: S3Store, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out.sort();
}

for (
  const { name, op, multipartCopyThreshold } of [
    { name: "one CopyObject", op: "CopyObject" as const, multipartCopyThreshold: undefined },
    { name: "a copy in parts", op: "UploadPartCopy" as const, multipartCopyThreshold: 1024 * 1024 },
  ]
) {
  Deno.test(`mirror(): Ctrl-C during a rename's ${name} names it as cut short; the next run ends equal`, async () => {
    const requests = requestsEnding();
    await using s3 = await startFakeS3({
      buckets: ["b"],
      minPartSize: 1024,
      onRequest: requests.onRequest,
    });
    const store = new S3Store({
      bucket: "b",
      endpoint: s3.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      ...(multipartCopyThreshold === undefined
        ? {}
        : { multipartCopyThreshold, copyPartSize: 1024 * 1024 }),
    });
    try {
      await using w = await tempDir();
      const src = join(w.dir, "src");
      await Deno.mkdir(src);
      await Deno.writeFile(join(src, "big.bin"), randomBytes(SIZE, 31));
      await settle();
      const opts: MirrorOptions = {
        sources: [src],
        target: store,
        targetPrefix: "m",
        statePath: join(w.dir, "s.db"),
        racyWindowMs: RACY_MS,
        delete: true,
      };
      assertEquals((await mirror(opts)).transferred, 1);
      await Deno.rename(join(src, "big.bin"), join(src, "renamed.bin"));
      await settle();
      s3.setFaults({ latencyMs: LATENCY_MS, match: (t) => t.op === op });
      const stop = new AbortController();
      const watcher = (async () => {
        for (let i = 0; i < 500 && (s3.stats[op] ?? 0) === 0; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        stop.abort(new DOMException("interrupted", "AbortError"));
      })();
      const error = await mirror({ ...opts, signal: stop.signal }).then(() => undefined, (e) => e);
      await watcher;
      assert(error instanceof MirrorInterruptedError, String(error));
      assertEquals(error.report.cutShort, ["renamed.bin"]);
      assertEquals([error.report.transferred, error.report.deleted], [0, 0]);
      await requests.settled(s3, LATENCY_MS + 5_000);
      s3.setFaults({});
      assertEquals(await openUploads(s3, "b"), [], "the copy in parts is aborted in the store");
      const again = await mirror(opts);
      assertEquals(again.failed, []);
      assertEquals(await keys(store, "m/"), ["m/renamed.bin"]);
    } finally {
      await store.close();
    }
  });
}
