/**
 * A manifest that is a symbolic link to a file that does not exist (a
 * checkout that links `versioned_assets.json` to a sibling repository's
 * manifest, the sibling not cloned): `ls` shows the file, yet every command
 * said `manifest … does not exist; create it with \`vc add\``, and `vc add`
 * then created the link's target, and the directories above it, outside the
 * project, without a word (as did `update`, which starts a missing manifest
 * for a path the bucket has versions of). The reading commands now name the
 * link and its missing target, and `add` and `update` warn, before they
 * publish, that they start a new manifest there.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli: a manifest that is a dangling symbolic link is named as one, with its target", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("repo/a.csv", "a\n");
  const link = ws.path("repo/versioned_assets.json");
  const target = ws.path("shared/versioned_assets.json");
  await Deno.symlink("../shared/versioned_assets.json", link);
  // `vc ls` reads no lock file, and refuses --lock.
  const inRepo = (...args: string[]) =>
    ws.vc(
      ...args,
      "--manifest",
      link,
      ...(args[0] === "ls" ? [] : ["--lock", ws.path("repo/versioned_assets.lock.json")]),
    );

  for (const args of [["ls"], ["path", "/a.csv"], ["verify"], ["sync", ws.path("out")]]) {
    const r = await inRepo(...args);
    assertEquals(r.code, 1, `${args[0]}: ${r.stderr}`);
    assertStringIncludes(
      r.stderr,
      `manifest ${link} is a symbolic link to ${target}, which does not exist`,
      args[0],
    );
  }

  const added = await inRepo("add", "/a.csv", ws.path("repo/a.csv"));
  assertEquals(added.code, 0, added.stderr);
  assertStringIncludes(
    added.stderr,
    `warning: starting a new manifest ${target}, the target of the symbolic link ${link}, ` +
      "which does not exist",
  );
  // The link is kept and the new manifest is its target, as for a link to a file.
  assert((await Deno.lstat(link)).isSymlink);
  assertEquals(JSON.parse(await Deno.readTextFile(target)), { "/a.csv": "1.0.0" });

  // Once the target is there: nothing more is said.
  await ws.write("repo/b.csv", "b\n");
  const again = await inRepo("add", "/b.csv", ws.path("repo/b.csv"));
  assertEquals([again.code, again.stderr], [0, ""]);

  // `update` starts a missing manifest for a path the bucket has versions of:
  // through such a link it says so too, before it publishes.
  const link2 = ws.path("repo2/versioned_assets.json");
  const target2 = ws.path("shared2/versioned_assets.json");
  await ws.write("repo2/a.csv", "a2\n");
  await Deno.symlink("../shared2/versioned_assets.json", link2);
  const updated = await ws.vc(
    "update",
    "/a.csv",
    ws.path("repo2/a.csv"),
    "--patch",
    "--manifest",
    link2,
    "--lock",
    ws.path("repo2/versioned_assets.lock.json"),
  );
  assertEquals(updated.code, 0, updated.stderr);
  assertStringIncludes(
    updated.stderr,
    `warning: starting a new manifest ${target2}, the target of the symbolic link ${link2}`,
  );
  assertEquals(JSON.parse(await Deno.readTextFile(target2)), { "/a.csv": "1.0.1" });
});
