/**
 * `deno task install` ends with `scripts/install_lock.ts`, which copies the
 * checkout's lock beside the config `deno install -g` copied. It looked for
 * that config under `HOME`, then `USERPROFILE`; Deno's installer, on
 * Windows, takes the home from `USERPROFILE` alone (a `HOME` there, set by
 * Git Bash, Cygwin or the user, is not Windows'). Where the two differ, the
 * task failed right after a good install ("deno.json is missing: run deno
 * install first"). Run on Linux by passing the platform.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { homeVariable, installedConfigDir } from "../scripts/install_lock.ts";

Deno.test("install_lock finds the installed config where Deno's installer put it, per platform", () => {
  const env = { HOME: "/c/msys/home/ann", USERPROFILE: "C:\\Users\\ann" };
  assertEquals(
    installedConfigDir("vc", env, "windows"),
    join("C:\\Users\\ann", ".deno", "bin", ".vc"),
  );
  assertEquals(
    installedConfigDir("vc", env, "linux"),
    join("/c/msys/home/ann", ".deno", "bin", ".vc"),
  );
  assertEquals(
    installedConfigDir("vc", env, "darwin"),
    join("/c/msys/home/ann", ".deno", "bin", ".vc"),
  );
  // Windows without USERPROFILE: Deno's installer fails; so does the lookup, naming it.
  assertEquals(installedConfigDir("vc", { HOME: "/home/ann" }, "windows"), undefined);
  assertEquals(homeVariable("windows"), "USERPROFILE");
  assertEquals(homeVariable("linux"), "HOME");
  // DENO_INSTALL_ROOT wins everywhere.
  const root = { ...env, DENO_INSTALL_ROOT: "/opt/deno" };
  assertEquals(installedConfigDir("vc", root, "windows"), join("/opt/deno", "bin", ".vc"));
});
