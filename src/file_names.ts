/**
 * Which names a local file cannot have on this platform: one check, used by
 * every place that turns an untrusted name into a local file (a store →
 * local `vc mirror`'s keys, `vc sync`'s manifest paths).
 *
 * On Windows (`fsPlatform.windowsNames`, switchable in tests with
 * `withFsPlatform`) a name is no file name when it holds `<>:"|?*` or a
 * control character (`a.csv:x` writes an alternate data stream of `a.csv`),
 * is a device name (`con`, `nul.txt`: the console, the null device), or ends
 * with a dot or a space (`a.` is the file `a`). Written anyway, it would not
 * be the file it names. Linux and macOS take all of these.
 *
 * @module
 */
import { fsPlatform } from "./fs_platform.ts";

// deno-lint-ignore no-control-regex
const WINDOWS_FORBIDDEN = /[<>:"|?*\x00-\x1f]/;
// Device names, with or without an extension, in any case (`con.txt` is the console).
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$) *(\.|$)/i;

/**
 * Why `name` (one path segment) cannot be a file name on Windows, or
 * `undefined` when it can; whatever the platform vc runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsNameProblem } from "./file_names.ts";
 * assert.equal(windowsNameProblem("a.csv"), undefined);
 * assert(windowsNameProblem("a.csv:x")?.includes("character"));
 * assert(windowsNameProblem("NUL.txt")?.includes("device name"));
 * assert(windowsNameProblem("a.")?.includes("dot"));
 * ```
 */
export function windowsNameProblem(name: string): string | undefined {
  if (WINDOWS_FORBIDDEN.test(name)) {
    return 'holds a character Windows file names cannot (<>:"|?* or a control character)';
  }
  if (/[. ]$/.test(name)) return "ends with a dot or a space, which Windows drops";
  if (WINDOWS_DEVICE.test(name)) return "is a device name on Windows";
  return undefined;
}

/**
 * Why the relative path `rel` (segments separated by `/`) cannot be written
 * as a local file on this platform, naming the segment at fault, or
 * `undefined` when it can. Only Windows' name rules
 * ({@linkcode windowsNameProblem}) apply, and only where they hold
 * (`windows`, default `fsPlatform.windowsNames`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localPathProblem } from "./file_names.ts";
 * assert.equal(localPathProblem("data/a:b.csv", false), undefined);
 * assert.equal(
 *   localPathProblem("data/a:b.csv", true),
 *   'segment "a:b.csv" holds a character Windows file names cannot (<>:"|?* or a control character)',
 * );
 * assert.equal(localPathProblem("con/x.csv", true), 'segment "con" is a device name on Windows');
 * ```
 */
export function localPathProblem(
  rel: string,
  windows: boolean = fsPlatform.windowsNames,
): string | undefined {
  if (!windows) return undefined;
  for (const part of rel.split("/")) {
    const why = windowsNameProblem(part);
    if (why !== undefined) return `segment ${JSON.stringify(part)} ${why}`;
  }
  return undefined;
}
