/**
 * A token file that can no longer be looked at while the service runs (a
 * symlink loop, a directory on its path replaced by a file): every request
 * was answered 500, a stack trace logged each time. Now the last good tokens
 * stay in use and the problem is told once, naming the file, as for a file
 * edited into invalid JSON.
 */
import { addToken, TokenFileAuth } from "../src/server/auth.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test({
  name: "a token file path that stops resolving keeps the last good tokens, told once",
  ignore: Deno.build.os === "windows", // symlink loops and ENOTDIR as on POSIX
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const sub = `${dir}/sub`;
      await Deno.mkdir(sub);
      const path = `${sub}/tokens.json`;
      const token = await addToken(path, "alice");
      const told: string[] = [];
      const auth = new TokenFileAuth({ path, onReloadError: (e) => told.push(e.message) });
      await auth.check();
      const saved = await Deno.readTextFile(path);

      // The file made a link to itself.
      await Deno.remove(path);
      await Deno.symlink(path, path);
      for (let i = 0; i < 3; i++) assertEquals((await auth.authenticate(token)).name, "alice");
      assertEquals(told.length, 1, told.join("\n"));
      assertStringIncludes(told[0]!, `token file ${path}`);
      assertStringIncludes(told[0]!, "keeping the 1 token of its last good version");

      // Fixed, then its directory replaced by a file: told again.
      await Deno.remove(path);
      await Deno.writeTextFile(path, saved);
      assertEquals((await auth.authenticate(token)).name, "alice");
      await Deno.remove(sub, { recursive: true });
      await Deno.writeTextFile(sub, "not a directory");
      for (let i = 0; i < 3; i++) assertEquals((await auth.authenticate(token)).name, "alice");
      assertEquals(told.length, 2, told.join("\n"));
      assertStringIncludes(told[1]!, `token file ${path}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
