/**
 * The `./config` subpath checks what a script gives it, as the rest of the
 * API does: a misspelt option of `resolveSettings` (`cachedir`) resolved the
 * default cache directory without a word, `env: "prod"` read every variable
 * as unset, and a number given to `parseBoolean` / `parseDurationSeconds` /
 * `findProjectConfig` was a bare `TypeError` (`value.trim is not a function`).
 */
import { InvalidInputError } from "../src/errors.ts";
import {
  defaultCacheDir,
  defaultConfigDir,
  findProjectConfig,
  parseBoolean,
  parseDurationSeconds,
  resolveSettings,
} from "../src/config.ts";
import { assertEquals, assertThrows } from "./assert.ts";

Deno.test("config API: a misspelt option is refused with the one meant", () => {
  assertThrows(
    () => resolveSettings({ cachedir: "/tmp/c", configPath: false, env: {} } as never),
    InvalidInputError,
    'resolveSettings(): unknown option "cachedir"; did you mean "cacheDir"?',
  );
  assertThrows(
    () => defaultCacheDir({ platform: "linux", env: { HOME: "/h" } } as never),
    InvalidInputError,
    'defaultCacheDir(): unknown option "platform"',
  );
  assertThrows(
    () => defaultConfigDir({ evn: { HOME: "/h" } } as never),
    InvalidInputError,
    'defaultConfigDir(): unknown option "evn"; did you mean "env"?',
  );
  assertThrows(
    () => resolveSettings(null as never),
    InvalidInputError,
    "the options of resolveSettings() must be an object, got null",
  );
  // Still fine when spelt right.
  assertEquals(
    resolveSettings({ cacheDir: "/tmp/c", configPath: false, env: {} }).cacheDir,
    "/tmp/c",
  );
});

Deno.test("config API: env that is neither a function nor an object is refused", () => {
  assertThrows(
    () => defaultCacheDir({ os: "linux", env: "prod" as never }),
    InvalidInputError,
    'the option env must be a function or an object of variables, got "prod"',
  );
  assertThrows(
    () => resolveSettings({ configPath: false, env: 5 as never }),
    InvalidInputError,
    "the option env must be a function or an object of variables, got 5",
  );
});

Deno.test("config API: text helpers given a number name the argument and value", () => {
  assertThrows(
    () => parseBoolean(1 as never, "VC_OFFLINE"),
    InvalidInputError,
    "parseBoolean(): VC_OFFLINE must be a string, got 1",
  );
  assertThrows(
    () => parseDurationSeconds(60 as never, "VC_CACHE_TIMEOUT"),
    InvalidInputError,
    "parseDurationSeconds(): VC_CACHE_TIMEOUT must be a string, got 60",
  );
  assertThrows(
    () => findProjectConfig(5 as never),
    InvalidInputError,
    "findProjectConfig(): the start directory must be a non-empty file path string, got 5",
  );
});
