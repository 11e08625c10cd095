/**
 * The checkout's top level holds the project's files only: debris of a manual
 * run (an empty `b3.bin`, a `one/x`) committed by accident confuses a newcomer
 * reading the tree, so a new top-level entry has to be added here on purpose.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const TOP_LEVEL = new Set([
  ".ci",
  ".gitignore",
  "LICENSE",
  "README.md",
  "cli.ts",
  "deno.json",
  "deno.lock",
  "manifest.example.json",
  "mod.ts",
  "scripts",
  "src",
  "tests",
]);

Deno.test({
  name: "checkout: only the project's files are tracked at the top level",
  // A source tarball has no git metadata: nothing to check there.
  ignore: (() => {
    try {
      return !Deno.statSync(`${ROOT}.git`);
    } catch {
      return true;
    }
  })(),
  async fn() {
    const { code, stdout } = await new Deno.Command("git", {
      args: ["ls-files", "-z"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    assertEquals(code, 0);
    const tracked = new TextDecoder().decode(stdout).split("\0").filter((p) => p !== "");
    const unexpected = [...new Set(tracked.map((p) => p.split("/")[0]!))]
      .filter((name) => !TOP_LEVEL.has(name))
      .sort();
    assertEquals(unexpected, []);
  },
});
