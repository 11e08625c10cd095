/**
 * A scratch file (standard input spooled for `vc cache-client put ID -`,
 * `vc lock`'s downloads, a backup's snapshot) that fills its disk fails
 * naming the variable that moves it. That was `TMPDIR` everywhere; on
 * Windows Deno's temp directory is `TMP`'s (GetTempPath), and a `TMPDIR` set
 * as told changed nothing. Run on Linux by passing the platform.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { scratchSpaceError } from "../src/scratch_dir.ts";

const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });

Deno.test("a full scratch disk names TMP on Windows, TMPDIR elsewhere", () => {
  const windows = scratchSpaceError(full, "copying standard input", "C:\\Temp\\vc-x\\0", "windows");
  assert(windows instanceof Error);
  assertStringIncludes(windows.message, "it is a temp file in TMP: set TMP to a directory");
  for (const os of ["linux", "darwin"] as const) {
    const posix = scratchSpaceError(full, "copying standard input", "/tmp/vc-x/0", os);
    assert(posix instanceof Error);
    assertStringIncludes(posix.message, "it is a temp file in TMPDIR: set TMPDIR to a directory");
  }
});
