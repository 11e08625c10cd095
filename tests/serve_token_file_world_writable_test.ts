/**
 * A token file any user may write lets anyone on the machine add a token
 * under any identity's name and read, replace or delete its caches; `vc
 * serve` started on one (and `vc serve add-token` kept it so) without a
 * word. Now both warn, naming the file and the `chmod` that fixes it; a file
 * only its owner writes draws no warning.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

Deno.test({
  name: "vc serve warns about a world-writable token file, naming the fix",
  ignore: Deno.build.os === "windows", // no file modes
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const add = await vc(["serve", "add-token", "alice", "--token-file", "t.json"]);
      assertEquals(add.code, 0, add.stderr);
      assertEquals(add.stderr.includes("writable by every user"), false, add.stderr);
      // A store directory that does not exist stops it after the token file
      // is read: the warning is said before that.
      const serve = () =>
        vc(["serve", "--store", `file://${dir}/no-store`, "--token-file", "t.json"]);
      const strict = await serve();
      assertEquals(strict.code, 1, strict.stderr);
      assertEquals(strict.stderr.includes("writable by every user"), false, strict.stderr);
      await Deno.chmod(`${dir}/t.json`, 0o666);
      const loose = await serve();
      assertEquals(loose.code, 1, loose.stderr);
      const path = `${dir}/t.json`;
      assertStringIncludes(
        loose.stderr,
        `token file ${path} is writable by every user (mode 0666)`,
      );
      assertStringIncludes(loose.stderr, `chmod o-w ${path}`);
      // add-token keeps the file's mode, and says so too.
      const again = await vc(["serve", "add-token", "bob", "--token-file", "t.json"]);
      assertEquals(again.code, 0, again.stderr);
      assertStringIncludes(again.stderr, `token file ${path} is writable by every user`);
      assertEquals(again.stdout.trim().length, 64, again.stdout);
    });
  },
});
