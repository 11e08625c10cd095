/**
 * A parallel download serves its first range from the body of its first
 * GET, and stops every range once one fails. Since small downloads make no
 * abort controller of their own, that first GET is sent with the caller's
 * signal: a failed range aborted the ranged GETs but not the first body,
 * so the download waited for range 0 to arrive whole (a part of up to
 * 64 MiB, for nothing) before it failed, and for as long as that body
 * stalled (a store going down is what fails the other ranges). The first
 * body now stops with the others.
 */
import { assert, assertEquals } from "./assert.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/**
 * The first GET's body gives one chunk, then stalls until it is cancelled
 * (or the test lets it fail); every ranged GET is refused.
 */
class StallingStore extends FaultStore {
  firstCancelled = false;
  rangeRefused = Promise.withResolvers<void>();
  #release = Promise.withResolvers<void>();

  release(): void {
    this.#release.resolve();
  }

  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    if (options.range !== undefined) {
      this.rangeRefused.resolve();
      throw new AccessDeniedError(`GET ${key} (a range): 403 AccessDenied`);
    }
    const { info, body } = await super.get(key, options);
    await body.cancel();
    let sent = false;
    const released = this.#release.promise;
    const cancelled = () => {
      this.firstCancelled = true;
    };
    return {
      info,
      body: new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(new Uint8Array(64 * 1024));
            return;
          }
          await released;
          controller.error(new TypeError("error reading a body from connection: reset"));
        },
        cancel: cancelled,
      }),
    };
  }
}

Deno.test("a parallel download whose range fails stops the first GET's body too", async () => {
  await withTempDir(async (dir) => {
    const store = new StallingStore();
    store.set("k", randomBytes(3 * MiB));
    const caller = new AbortController();
    const outcome = downloadToFile(store, "k", `${dir}/k`, {
      signal: caller.signal,
      parallelThreshold: MiB,
      partSize: MiB,
    }).then(() => undefined, (e: unknown) => e);
    await store.rangeRefused.promise;
    // The stop runs in the failure's own turns: a few event-loop turns are
    // plenty (no clock is read); a body never stopped stays uncancelled.
    for (let i = 0; i < 50 && !store.firstCancelled; i++) {
      await new Promise((r) => setTimeout(r, 0));
    }
    const cancelled = store.firstCancelled;
    store.release(); // so that the download ends either way
    const error = await outcome;
    assert(error instanceof AccessDeniedError, `${error}`);
    assert(cancelled, "the first GET's body was still being read after a range failed");
    assertEquals(await tempFiles(dir), []);
  }, "vc-parallel-first-body-");
});
