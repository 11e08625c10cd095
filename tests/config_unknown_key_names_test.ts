/**
 * Unknown keys in a settings file, by name:
 * - `"constructor"` / `"toString"` were looked up on the plain object of
 *   user-only keys, found on Object.prototype, and refused with "is not a
 *   project setting (undefined): set it in the user config file or
 *   undefined"; they are unknown keys like any other.
 * - a setting `vc config` shows that no settings file holds (`lock`,
 *   `requestTimeout`, `frozen`, …) was "unknown", which it is not: the error
 *   now says where it is set.
 */
import { join } from "node:path";
import { assert, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

Deno.test("settings files: Object.prototype names are unknown keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "c.json");
    for (const key of ["constructor", "toString", "hasOwnProperty"]) {
      await Deno.writeTextFile(file, JSON.stringify({ [key]: 1 }));
      const error = assertThrows(
        () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        `unknown key "${key}"`,
      );
      assert(!error.message.includes("undefined"), error.message);
      await Deno.writeTextFile(join(dir, "vc.json"), JSON.stringify({ [key]: 1 }));
      assertThrows(
        () => resolveSettings({ configPath: false, projectDir: dir, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        `unknown key "${key}"`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("settings files: a setting with no file key says where it is set", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "c.json");
    for (
      const [key, where] of [
        ["lock", "VC_LOCK or --lock"],
        ["requestTimeout", "VC_REQUEST_TIMEOUT or --request-timeout"],
        ["frozen", "VC_FROZEN=1 or --frozen"],
        ["lockWait", "VC_LOCK_WAIT"],
        ["revalidateTimeout", "VC_REVALIDATE_TIMEOUT"],
      ]
    ) {
      await Deno.writeTextFile(file, JSON.stringify({ [key!]: 1 }));
      assertThrows(
        () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        `"${key}" is not a settings file key: set it with ${where}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
