/**
 * Where offline mode was turned on, and how to turn it off, for the
 * messages of a download refused in offline mode: they said "unset
 * VC_OFFLINE or drop --offline" also when the config file's
 * `"offline": true` had turned it on, sending the user to look for a
 * variable and a flag that were not there.
 *
 * @module
 */

/**
 * The setting that turned offline mode on (`on`) and what turns it off
 * (`off`), from the `offline` entry of `Settings.sources` (`option`,
 * `env VC_OFFLINE`, `config FILE`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { offlineSwitch } from "./offline_switch.ts";
 * assert.deepEqual(offlineSwitch("env VC_OFFLINE"), { on: "VC_OFFLINE", off: "unset VC_OFFLINE" });
 * assert.equal(offlineSwitch("config /home/a/.config/vc/config.json").on, '"offline": true in /home/a/.config/vc/config.json');
 * ```
 */
export function offlineSwitch(source: string): { on: string; off: string } {
  if (source.startsWith("env ")) {
    const name = source.slice("env ".length);
    return { on: name, off: `unset ${name}` };
  }
  const file = /^(?:config|project) (.*)$/s.exec(source)?.[1];
  if (file !== undefined) {
    return {
      on: `"offline": true in ${file}`,
      off: `set "offline": false there, or VC_OFFLINE=0`,
    };
  }
  return { on: "--offline, the offline option", off: "drop --offline" };
}
