/**
 * Where offline mode was turned on, and how to turn it off (or on), for the
 * messages of a download refused in offline mode: they said "unset
 * VC_OFFLINE or drop --offline" also when the config file's
 * `"offline": true` had turned it on, sending the user to look for a
 * variable and a flag that were not there; and "--offline, the offline
 * option" to a `vc` user (who has no option to change) and a library user
 * (who has no flag) alike.
 *
 * @module
 */

/** What the CLI puts before `Settings.sources.offline`: messages then name its flag. */
export const CLI_SOURCE_PREFIX = "cli ";

/**
 * The setting that turned offline mode on (`on`), what turns it off
 * (`off`) and what would turn it on (`how`), from the `offline` entry of
 * `Settings.sources` (`option`, `env VC_OFFLINE`, `config FILE`,
 * `default`); with {@linkcode CLI_SOURCE_PREFIX} before it (what the `vc`
 * command line passes), the `--offline` flag is named where a library
 * user's is the `offline` option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { offlineSwitch } from "./offline_switch.ts";
 * assert.deepEqual(offlineSwitch("env VC_OFFLINE").off, "unset VC_OFFLINE");
 * assert.equal(offlineSwitch("config /home/a/.config/vc/config.json").on, '"offline": true in /home/a/.config/vc/config.json');
 * assert.deepEqual(offlineSwitch("cli option"), {
 *   on: "--offline",
 *   off: "drop --offline",
 *   how: '--offline, VC_OFFLINE=1 or "offline": true in the config file',
 * });
 * assert.equal(offlineSwitch("option").on, "the offline option");
 * ```
 */
export function offlineSwitch(source: string): { on: string; off: string; how: string } {
  const cli = source.startsWith(CLI_SOURCE_PREFIX);
  const setting = cli ? source.slice(CLI_SOURCE_PREFIX.length) : source;
  const settings = 'VC_OFFLINE=1 or "offline": true in the config file';
  // An option given (false) wins over the variable and the file: it alone turns it on.
  const how = cli
    ? `--offline, ${settings}`
    : setting === "option"
    ? "the offline option"
    : `the offline option, ${settings}`;
  if (setting.startsWith("env ")) {
    const name = setting.slice("env ".length);
    return { on: name, off: `unset ${name}`, how };
  }
  const file = /^(?:config|project) (.*)$/s.exec(setting)?.[1];
  if (file !== undefined) {
    return {
      on: `"offline": true in ${file}`,
      off: `set "offline": false there, or VC_OFFLINE=0`,
      how,
    };
  }
  return cli
    ? { on: "--offline", off: "drop --offline", how }
    : { on: "the offline option", off: "pass offline: false", how };
}
