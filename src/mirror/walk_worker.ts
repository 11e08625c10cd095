/**
 * Web Worker body for {@linkcode ./walk_thread.ts}: runs a mirror's local
 * walk (`walkLocalBatches`: directory reads and a stat per file) on another
 * core than the one parsing the listing and merging, and hands the entries
 * over packed (the relative paths as one string, the numbers in a
 * transferred `Float64Array`), which is several times cheaper to receive
 * than an array of objects.
 *
 * The walk runs at most `ahead` entries ahead of what the main thread has
 * acknowledged, so memory stays bounded however large the tree is.
 *
 * Loaded only with `new Worker(...)`; importing it does nothing else than
 * registering a message listener in a worker scope.
 *
 * @module
 */
import { walkLocalBatches } from "./local_side.ts";
import type { WalkMessage, WalkRequest } from "./walk_thread.ts";

interface WorkerScope {
  addEventListener(type: "message", listener: (e: MessageEvent<WalkRequest>) => void): void;
  postMessage(message: WalkMessage, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let acked = 0;
let wake: (() => void) | undefined;

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}

async function walk(req: Extract<WalkRequest, { type: "walk" }>): Promise<void> {
  let sent = 0;
  try {
    const walk = walkLocalBatches(req.root, {
      filter: req.filter,
      symlinks: req.symlinks,
      scope: req.scope,
      skipTempNames: req.skipTempNames,
      skipInternalNames: req.skipInternalNames,
      sweepDeadTemps: req.sweepDeadTemps,
      onError: (path, error) => scope.postMessage({ type: "error", path, error: describe(error) }),
      ...(req.skips
        ? { onSkip: (key, path, kind) => scope.postMessage({ type: "skip", key, path, kind }) }
        : {}),
    }, req.missingOk);
    for await (const batch of walk) {
      const numbers = new Float64Array(batch.length * 4);
      const paths: string[] = [];
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i]!;
        paths.push(e.path);
        numbers[i * 4] = e.size;
        numbers[i * 4 + 1] = e.mtimeMs;
        numbers[i * 4 + 2] = e.ctimeMs;
        numbers[i * 4 + 3] = e.ino ?? NaN;
      }
      const keys = batch.map((e) => e.key);
      scope.postMessage(
        { type: "batch", paths: paths.join("\0"), keys: keys.join("\0"), numbers },
        [numbers.buffer],
      );
      sent += batch.length;
      while (sent - acked >= req.ahead) await new Promise<void>((r) => wake = r);
    }
    scope.postMessage({ type: "end" });
  } catch (error) {
    scope.postMessage({ type: "fail", error: describe(error) });
  }
}

scope.addEventListener("message", (e) => {
  const req = e.data;
  if (req.type === "ack") {
    acked = req.count;
    wake?.();
    wake = undefined;
  } else if (req.type === "walk") {
    void walk(req);
  }
});
