/**
 * A Ctrl-C (the signal of `add` / `update`) that arrives just after the
 * upload landed, with the manifest's lock free: the version is published
 * (create-only, it stays), so it is pinned at once rather than left
 * published and unpinned. Before, the pin's lock refused to start on an
 * aborted signal, even with nobody to wait for, and `vc add` / `vc update`
 * ended "interrupted: published … but did not pin it" (a window of the
 * whole upload's verification, found by Ctrl-C and SIGTERM of `vc update`).
 * While another process holds the lock, the abort still ends the wait
 * (tests/versioned_pin_lock_wait_signal_test.ts).
 */
import type { ObjectStore, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { assertEquals } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";

/** The Ctrl-C of the command under way. */
interface Interrupt {
  stop: AbortController;
}

/** A store after whose put lands the user presses Ctrl-C. */
class InterruptedAfterUpload extends WrappingStore {
  constructor(inner: ObjectStore, readonly interrupt: Interrupt) {
    super(inner);
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    this.interrupt.stop.abort(new DOMException("interrupted", "AbortError"));
    return result;
  }
}

Deno.test("add and update interrupted once their upload landed pin that version (lock free)", async () => {
  const interrupt: Interrupt = { stop: new AbortController() };
  await using ws = await workspace({
    wrap: (inner) => new InterruptedAfterUpload(inner, interrupt),
  });
  const file = await writeFile(ws.dir, "t.csv", "a,b\n1,2\n");
  await ws.vc.add("/t.csv", file, { signal: interrupt.stop.signal });
  assertEquals(JSON.parse(await Deno.readTextFile(ws.vc.manifest))["/t.csv"], "1.0.0");

  interrupt.stop = new AbortController();
  await writeFile(ws.dir, "t.csv", "a,b\n3,4\n");
  await ws.vc.update("/t.csv", file, { minor: true }, { signal: interrupt.stop.signal });
  assertEquals(JSON.parse(await Deno.readTextFile(ws.vc.manifest))["/t.csv"], "1.1.0");
});
