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

Deno.test("settings files: a key written as its variable, its flag or the variable's words names the key meant", async () => {
  // `"VC_CACHE_DIR"` (copied from a CI file's env:), `"cacheTimeout"` (after
  // VC_CACHE_TIMEOUT) and `"ttl"` were unknown keys with no guess, and
  // `"request-timeout"` (the flag) or `"VC_LOCK_WAIT"` did not say where
  // that setting is set.
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "c.json");
    for (
      const [key, says] of [
        ["VC_CACHE_DIR", 'unknown key "VC_CACHE_DIR"; did you mean "cacheDir"?'],
        ["VC_BUCKET", 'unknown key "VC_BUCKET"; did you mean "bucket"?'],
        ["VC_CACHE_TIMEOUT", 'unknown key "VC_CACHE_TIMEOUT"; did you mean "timeout"?'],
        ["cacheTimeout", 'unknown key "cacheTimeout"; did you mean "timeout"?'],
        ["ttl", 'unknown key "ttl"; did you mean "timeout"?'],
        ["VC_RANGE_SIZE", 'unknown key "VC_RANGE_SIZE"; did you mean "rangeSize"?'],
        [
          "request-timeout",
          '"request-timeout" is not a settings file key: set it with VC_REQUEST_TIMEOUT',
        ],
        ["VC_LOCK_WAIT", '"VC_LOCK_WAIT" is not a settings file key: set it with VC_LOCK_WAIT'],
      ]
    ) {
      await Deno.writeTextFile(file, JSON.stringify({ [key!]: "1" }));
      assertThrows(
        () => resolveSettings({ configPath: file, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        says,
      );
    }
    // In a project file, a user-only setting under its variable's name says so.
    await Deno.writeTextFile(join(dir, "vc.json"), JSON.stringify({ VC_OFFLINE: true }));
    assertThrows(
      () => resolveSettings({ configPath: false, projectDir: dir, cwd: dir, env: { HOME: dir } }),
      ConfigFileError,
      '"VC_OFFLINE" is not a project setting',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("settings files: a user-only setting in a project file under another name names the user file's key", async () => {
  // "set it in the user config file" of `"VC_RANGE_SIZE"` led to that key
  // there, itself refused as unknown: the key the user file takes is named.
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [key, says] of [
        ["VC_RANGE_SIZE", 'set it in the user config file as "rangeSize" or VC_RANGE_SIZE;'],
        ["offline", "set it in the user config file or VC_OFFLINE;"],
      ]
    ) {
      await Deno.writeTextFile(join(dir, "vc.json"), JSON.stringify({ [key!]: "1" }));
      assertThrows(
        () => resolveSettings({ configPath: false, projectDir: dir, cwd: dir, env: { HOME: dir } }),
        ConfigFileError,
        says,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
