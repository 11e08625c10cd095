/**
 * `~` in a path setting (`--manifest`, `VC_LOCK`, a settings file's
 * `cacheDir`) took `HOME` before `USERPROFILE` on Windows, while the default
 * directories take `USERPROFILE` first: under Git Bash (which sets `HOME` to
 * a home of its own) `~/cache` and the default cache were under two homes.
 * And with neither set, the error said "HOME is not set" on Windows, where
 * `USERPROFILE` is the variable to set. One helper now decides the home per
 * OS for both.
 */
import { environmentLocalPath } from "../src/config.ts";
import { localPathSetting } from "../src/cli/local_path.ts";
import { UsageError } from "../src/cli/errors.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertThrows } from "./assert.ts";

const both = (n: string) =>
  ({ HOME: "/msys/home/ann", USERPROFILE: "/profile/ann", VC_LOCK: "~/ci.lock.json" })[n];

Deno.test("~ is the home directory each OS's defaults use: USERPROFILE first on Windows", () => {
  assertEquals(environmentLocalPath("VC_LOCK", both, "windows"), "/profile/ann/ci.lock.json");
  assertEquals(environmentLocalPath("VC_LOCK", both, "linux"), "/msys/home/ann/ci.lock.json");
  assertEquals(
    localPathSetting("/work", "~/t.json", both, "--token-file", undefined, "windows"),
    "/profile/ann/t.json",
  );
  assertEquals(
    localPathSetting("/work", "~/t.json", both, "--token-file", undefined, "darwin"),
    "/msys/home/ann/t.json",
  );
});

Deno.test("~ with no home set names the variable to set on that OS", () => {
  const none = (n: string) => (n === "VC_LOCK" ? "~/l.json" : undefined);
  for (const [os, variable] of [["windows", "USERPROFILE"], ["linux", "HOME"]] as const) {
    assertThrows(
      () => environmentLocalPath("VC_LOCK", none, os),
      InvalidInputError,
      `VC_LOCK: cannot expand ~/l.json: ${variable} is not set`,
    );
    assertThrows(
      () => localPathSetting("/work", "~/t.json", none, "--token-file", undefined, os),
      UsageError,
      `--token-file: cannot expand ~/t.json: ${variable} is not set`,
    );
  }
});
