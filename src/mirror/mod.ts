/**
 * `vc mirror` as a library: keep a store prefix equal to local directories
 * (or a directory equal to store prefixes), once with {@linkcode mirror} or
 * continuously with {@linkcode watchMirror}.
 *
 * @example A directory into a store, then again: only what changed is sent
 * ```ts
 * import assert from "node:assert/strict";
 * import { mirror } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${dir}/out`);
 *   await Deno.writeTextFile(`${dir}/out/a.txt`, "a");
 *   const options = {
 *     sources: [`${dir}/out`],
 *     target: `file://${dir}/bucket`, // or s3://bucket/prefix
 *     statePath: `${dir}/mirror-state.sqlite`,
 *   };
 *   assert.equal((await mirror(options)).transferred, 1);
 *   await Deno.writeTextFile(`${dir}/out/b.txt`, "b");
 *   const again = await mirror(options);
 *   assert.equal(again.transferred, 1);
 *   assert.equal(again.unchanged, 1);
 *   assert.deepEqual(again.failed, []);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */
export { Mirror, mirror } from "./mirror.ts";
export { MirrorInterruptedError } from "./report.ts";
export type {
  MirrorAction,
  MirrorFailure,
  MirrorKeptPartial,
  MirrorOptions,
  MirrorProgress,
  MirrorReport,
  MirrorSkip,
  MirrorUpload,
} from "./types.ts";
export { WatchInterruptedError, watchMirror } from "./watch.ts";
export type { BatchInfo, WatchOptions, WatchReport } from "./watch.ts";
export type { LocalRoot } from "./local_side.ts";
