/**
 * `vc mirror` as a library: keep a store prefix equal to local directories
 * (or a directory equal to store prefixes), once with {@linkcode mirror} or
 * continuously with {@linkcode watchMirror}.
 *
 * @module
 */
export { Mirror, mirror } from "./mirror.ts";
export { MirrorInterruptedError } from "./report.ts";
export type {
  MirrorAction,
  MirrorFailure,
  MirrorOptions,
  MirrorProgress,
  MirrorReport,
  MirrorSkip,
  MirrorUpload,
} from "./types.ts";
export { WatchInterruptedError, watchMirror } from "./watch.ts";
export type { BatchInfo, WatchOptions, WatchReport } from "./watch.ts";
export type { LocalRoot } from "./local_side.ts";
