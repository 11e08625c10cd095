/**
 * A Windows path in a setting that names a local file or directory
 * (`VC_CACHE_DIR=C:\vc` from an environment file written on Windows,
 * `--cache-dir D:\cache` in a CI script shared by both, a settings file's
 * `cacheDir`) was, on Linux and macOS, a relative path: vc made a cache
 * directory named `C:\vc` in the working directory and went on, where
 * `parseUri` refuses `C:\data` off Windows. One check now refuses both,
 * naming the setting; `./C:\vc` still names a file of that name.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { windowsPathProblem } from "../src/uri.ts";
import { environmentLocalPath, resolveSettings } from "../src/config.ts";
import { localPathArg, localPathSetting } from "../src/cli/local_path.ts";
import { UsageError } from "../src/cli/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

// On Windows such a path is the drive it names (the first test covers that branch).
const ON_WINDOWS = Deno.build.os === "windows";

Deno.test("windowsPathProblem: a drive path is refused off Windows only", () => {
  for (const os of ["linux", "darwin"] as const) {
    const why = windowsPathProblem("C:\\vc", os) ?? "";
    assertStringIncludes(why, '"C:\\\\vc" is a Windows path, but this system is ' + os);
    assertStringIncludes(why, "./C:\\vc");
    // With forward slashes as well (a JSON settings file's "C:/vc", which
    // spares the backslash's escape): a directory C: in the working directory.
    for (const path of ["C:/vc", "C://vc", "d:/"]) {
      assertStringIncludes(windowsPathProblem(path, os) ?? "", "is a Windows path", path);
    }
    for (const path of ["./C:\\vc", "vc", "/srv/C:\\x", "C:vc", "./C:/vc", "C:", "ab:/x"]) {
      assertEquals(windowsPathProblem(path, os), undefined, path);
    }
  }
  assertEquals(windowsPathProblem("C:\\vc", "windows"), undefined);
});

Deno.test({
  name: "local path settings and arguments refuse a Windows path off Windows, naming the setting",
  ignore: ON_WINDOWS,
}, () => {
  const env = (name: string) => ({ VC_LOCK: "D:\\ci\\lock.json", HOME: "/home/ann" })[name];
  assertStringIncludes(
    assertThrows(() => environmentLocalPath("VC_LOCK", env), InvalidInputError).message,
    'VC_LOCK "D:\\\\ci\\\\lock.json" is a Windows path',
  );
  assertStringIncludes(
    assertThrows(() => localPathArg("/work", "C:\\out", "DEST"), UsageError).message,
    'DEST "C:\\\\out" is a Windows path',
  );
  assertStringIncludes(
    assertThrows(() => localPathSetting("/work", "C:\\m.json", env, "--manifest"), UsageError)
      .message,
    '--manifest "C:\\\\m.json" is a Windows path',
  );
  assertStringIncludes(
    assertThrows(
      () => resolveSettings({ cwd: "/work", configPath: false, env: { VC_CACHE_DIR: "C:\\vc" } }),
      InvalidInputError,
    ).message,
    'VC_CACHE_DIR "C:\\\\vc" is a Windows path',
  );
  assertStringIncludes(
    assertThrows(
      () => resolveSettings({ cwd: "/work", configPath: false, env: { VC_CACHE_DIR: "C:/vc" } }),
      InvalidInputError,
    ).message,
    'VC_CACHE_DIR "C:/vc" is a Windows path',
  );
  // The explicit local spelling is a file of that name.
  assertEquals(localPathArg("/work", "./C:\\out", "DEST"), "/work/C:\\out");
});

Deno.test({
  name: "vc with a Windows cache dir off Windows fails and makes no directory",
  ignore: ON_WINDOWS,
}, async () => {
  await using ws = await CliWorkspace.create();
  // A malformed variable fails the command (exit 1), a malformed flag is a usage error (exit 2).
  const fromEnv = await ws.run(["cache", "ls"], { VC_CACHE_DIR: "C:\\vc" });
  assertEquals(fromEnv.code, 1, fromEnv.stderr);
  assertStringIncludes(fromEnv.stderr, 'VC_CACHE_DIR "C:\\\\vc" is a Windows path');
  const fromFlag = await ws.run(["cache", "ls", "--cache-dir", "D:\\cache"]);
  assertEquals(fromFlag.code, 2, fromFlag.stderr);
  assertStringIncludes(fromFlag.stderr, '--cache-dir "D:\\\\cache" is a Windows path');
  assertEquals([...Deno.readDirSync(ws.dir)].some((e) => /^[CD]:/.test(e.name)), false);
});
