/**
 * A `vc.json` (or `deno.json`, or the user config file) that is a symbolic
 * link to nothing was taken for a missing file: the project lookup went on to
 * a parent directory's `vc.json` and used its bucket without a word, though
 * the README says vc never walks past a broken project file. Now it is a
 * broken settings file, named with its target.
 */
import { join } from "node:path";
import { assertEquals, assertThrows } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("settings: a dangling symbolic link named vc.json is a broken project file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { HOME: dir };
    const child = join(dir, "child");
    await Deno.mkdir(child);
    await Deno.writeTextFile(join(dir, "vc.json"), '{"bucket": "parent-bucket"}');
    await Deno.symlink(join(dir, "moved.json"), join(child, "vc.json"));
    assertThrows(
      () => resolveSettings({ configPath: false, projectDir: child, cwd: dir, env }),
      ConfigFileError,
      `cannot read ${join(child, "vc.json")}: a symbolic link to "${join(dir, "moved.json")}"`,
    );
    await Deno.remove(join(child, "vc.json"));
    await Deno.symlink("nothing.json", join(child, "deno.json"));
    assertThrows(
      () => resolveSettings({ configPath: false, projectDir: child, cwd: dir, env }),
      ConfigFileError,
      "which does not exist",
    );
    await Deno.remove(join(child, "deno.json"));
    // A missing one is still none: the parent's settings apply.
    const s = resolveSettings({ configPath: false, projectDir: child, cwd: dir, env });
    assertEquals(s.bucket, "s3://parent-bucket");
    // The default user config file likewise.
    await Deno.mkdir(join(dir, ".config", "vc"), { recursive: true });
    await Deno.symlink("gone.json", join(dir, ".config", "vc", "config.json"));
    assertThrows(
      () => resolveSettings({ cwd: dir, env }),
      ConfigFileError,
      'a symbolic link to "gone.json", which does not exist',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc config: a dangling vc.json shows as the project file's error, exit 1", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("vc.json", '{"bucket": "parent-bucket"}');
  await ws.write("p/versioned_assets.json", "{}");
  await Deno.symlink("/nonexistent-vc-json", join(ws.dir, "p", "vc.json"));
  const r = await ws.run(["config", "--manifest", join(ws.dir, "p", "versioned_assets.json")]);
  assertEquals(r.code, 1, r.stderr);
  assertEquals(/parent-bucket/.test(r.stdout), false, r.stdout);
  assertEquals(
    /projectFile .*error: cannot read .*vc\.json: a symbolic link/.test(r.stdout),
    true,
    r.stdout,
  );
});

Deno.test("VC_CONFIG: a leading ~/ is the home directory, as in VC_MANIFEST", async () => {
  // `VC_CONFIG: "~/vc.json"` (quoted in a CI file, so no shell expands it)
  // was read as ./~/vc.json in the current directory.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "vc.json"), '{"timeout": 7}');
    const s = resolveSettings({ cwd: "/", env: { HOME: dir, VC_CONFIG: "~/vc.json" } });
    assertEquals(s.timeout, 7);
    assertEquals(s.sources.timeout, `config ${join(dir, "vc.json")}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
