/**
 * On Windows Deno makes a file's mode up from its read-only attribute: every
 * writable file reads 0666, whatever its ACL says. The token file check took
 * that for "writable by every user", so `vc serve` and `vc serve add-token`
 * warned at every run there, asking for a `chmod o-w` Windows has no use for.
 * The check is a POSIX one: on Windows it says nothing (run on Linux by
 * passing the platform, with a file whose mode reads as a Windows one does).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { tokenFileModeWarning } from "../src/server/auth.ts";

Deno.test("token file check: a mode of 0666 warns on POSIX systems, not on Windows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    await Deno.writeTextFile(path, "{}");
    await Deno.chmod(path, 0o666);
    assertStringIncludes((await tokenFileModeWarning(path, "linux")) ?? "", "chmod o-w");
    assertStringIncludes((await tokenFileModeWarning(path, "darwin")) ?? "", "chmod o-w");
    assertEquals(await tokenFileModeWarning(path, "windows"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
