/**
 * What an interrupted download that kept its partial says: the interrupt's
 * line names the object, how far it got and that the next run resumes it
 * (see the README's "An interrupted large download resumes"), where a bare
 * `cache get interrupted` read as if the bytes in were lost. For the
 * commands that download one object (`vc cache get`, `vc get`, `vc cat`,
 * `vc path`); `vc prefill` says it in its summary.
 *
 * @module
 */
import { VcError } from "../errors.ts";
import { keptPartialsSaid } from "../kept_partial_words.ts";
import { interruptedMessage, isAbort } from "./errors.ts";

/**
 * `error`, as the download of `uri` into the cache's `localPath` rejected,
 * when it is an interrupt (`signal` aborted) that kept the object's partial
 * download: an interrupt that says so (a `VcError` whose cause is the abort,
 * exit 130 all the same). Any other error as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keptPartialSaid } from "./kept_partial.ts";
 * const stop = new AbortController();
 * stop.abort(new DOMException("interrupted", "AbortError"));
 * const dir = await Deno.makeTempDir();
 * try {
 *   // Nothing kept at that path: the abort as it is.
 *   const said = await keptPartialSaid(stop.signal.reason, stop.signal, "get", "s3://b/k", `${dir}/k`);
 *   assert.equal(said, stop.signal.reason);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function keptPartialSaid(
  error: unknown,
  signal: AbortSignal | undefined,
  command: string,
  uri: string,
  localPath: string,
): Promise<unknown> {
  if (signal?.aborted !== true || !isAbort(error)) return error;
  const { keptPartial } = await import("../cache/partial_download.ts");
  const kept = keptPartial(localPath);
  if (kept === undefined) return error;
  return new VcError(
    `${interruptedMessage(command)}: ${keptPartialsSaid([{ name: uri, ...kept }])}: run it ` +
      "again to finish",
    { cause: error },
  );
}
