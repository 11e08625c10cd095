/**
 * A ranged write that fails (a full disk) closes the file handle of the
 * range's pipe; the range's stall watchdog, which reads that handle's
 * position, must not throw from its timer then (an uncaught `BadResource`
 * that killed the process) while the body's cancellation takes its time.
 * The download rejects with the full disk's error. Needs a small filesystem
 * to fill: a tmpfs mount (root on Linux); ignored elsewhere.
 */
import { assert, assertRejects } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { isNoSpaceError } from "../src/no_space.ts";
import { join } from "node:path";
import { canMount, tmpfsScratch } from "./mounts.ts";

const MiB = 1024 * 1024;

/** Bodies of ranged GETs that take 300 ms to cancel; a stall guard of 40 ms. */
class SlowCancelStore extends MemoryStore {
  readonly idleTimeoutMs = 40;
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    const r = await super.get(key, options);
    if (options.range === undefined) return r;
    const reader = r.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await reader.cancel(reason);
      },
    });
    return { ...r, body };
  }
}

Deno.test({
  name:
    "a ranged write onto a full disk rejects with the disk's error, its watchdog throws nothing (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: async () => {
    await using scratch = await tmpfsScratch("vc-slow-cancel-");
    const { mnt } = scratch;
    await using store = new SlowCancelStore();
    const data = new Uint8Array(4 * MiB);
    crypto.getRandomValues(data.subarray(0, 65536));
    await store.put("big.bin", data);
    const e = await assertRejects(() =>
      downloadToFile(store, "big.bin", join(mnt, "big.bin"), {
        parallelThreshold: MiB,
        partSize: MiB,
      })
    );
    assert(isNoSpaceError(e), String(e));
    // Past the slow cancellations: a timer that throws fails the test here.
    await new Promise((resolve) => setTimeout(resolve, 500));
  },
});
