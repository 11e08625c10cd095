/**
 * A settings file nesting arrays thousands deep (under the 4 MiB cap) made
 * every command fail with "internal error: RangeError: Maximum call stack size
 * exceeded": the check for lone surrogates walked the parsed value
 * recursively. Now an unknown key is refused naming the file, and a `$`
 * annotation is allowed however deep, as a shallow one is.
 */
import { join } from "node:path";
import { assertEquals, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

const deep = (key: string, depth = 100_000) =>
  `{"bucket": "b", ${JSON.stringify(key)}: ${"[".repeat(depth)}${"]".repeat(depth)}}`;

Deno.test("settings files: deeply nested values are checked without overflowing the stack", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { HOME: dir };
    const user = join(dir, "config.json");
    await Deno.writeTextFile(user, deep("x"));
    assertThrows(
      () => resolveSettings({ configPath: user, cwd: dir, env }),
      InvalidInputError,
      `config file ${user}: unknown key "x"`,
    );
    await Deno.writeTextFile(user, deep("$comment"));
    assertEquals(resolveSettings({ configPath: user, cwd: dir, env }).bucket, "s3://b");
    // A project vc.json and a deno.json "vc" block go through the same check.
    const project = join(dir, "p");
    await Deno.mkdir(project);
    await Deno.writeTextFile(join(project, "vc.json"), deep("$comment"));
    const s = resolveSettings({ configPath: false, projectDir: project, cwd: dir, env });
    assertEquals(s.bucket, "s3://b");
    await Deno.remove(join(project, "vc.json"));
    await Deno.writeTextFile(join(project, "deno.json"), `{"vc": ${deep("$c")}}`);
    const d = resolveSettings({ configPath: false, projectDir: project, cwd: dir, env });
    assertEquals(d.bucket, "s3://b");
    // A wide array too (pushing it as arguments would overflow).
    await Deno.writeTextFile(user, `{"$c": [${Array(300_000).fill(1).join()}], "bucket": "w"}`);
    assertEquals(resolveSettings({ configPath: user, cwd: dir, env }).bucket, "s3://w");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
