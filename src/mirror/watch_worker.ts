/**
 * Web Worker body for {@linkcode ./watcher_thread.ts}: a `Deno.watchFs` of
 * its own isolate, whose events it posts to the thread that started it.
 * Deno keeps one system watcher (and one event thread) per isolate, so one
 * made here shares nothing with a watcher of the main thread stalled at a
 * FIFO (see `watcher_stuck.ts`), and terminating the worker never waits on
 * a stalled thread.
 *
 * Loaded only with `new Worker(...)`; importing it does nothing else than
 * registering a message listener in a worker scope.
 *
 * @module
 */
import type { WatchMessage, WatchRequest } from "./watcher_thread.ts";

interface WorkerScope {
  addEventListener(type: "message", listener: (e: MessageEvent<WatchRequest>) => void): void;
  postMessage(message: WatchMessage): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.addEventListener("message", (e) => {
  void (async () => {
    try {
      const watcher = Deno.watchFs(e.data.paths, { recursive: e.data.recursive });
      scope.postMessage({ type: "started" });
      for await (const event of watcher) {
        scope.postMessage({
          type: "event",
          kind: event.kind,
          paths: event.paths,
          ...(event.flag ? { flag: event.flag } : {}),
        });
      }
      scope.postMessage({ type: "end" });
    } catch (error) {
      scope.postMessage({
        type: "fail",
        message: error instanceof Error ? error.message : String(error),
      });
    }
  })();
});
