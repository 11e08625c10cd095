/**
 * `vc get PATH DEST` and `vc repo get ID --to FILE` with a destination that
 * is a symbolic link write through to the link's target and keep the link,
 * as `vc cache-client get`, `curl -o` and `wget -O` do: the copy's rename
 * used to replace the link by a file, leaving the target (which others read)
 * with its old bytes. A chain is followed, a dangling link gets its target
 * created, a loop is refused naming DEST, and a link to the manifest does
 * not let a copy replace it.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test({
  name: "vc get / vc repo get --to: a DEST that is a symlink is written through, the link kept",
  // Symlinks need a privilege on Windows.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      await Deno.writeTextFile(join(dir, "a.csv"), "new\n");
      const bucket = { VC_BUCKET: join(dir, "bucket") };
      ok(await vc(["add", "/a.csv", "a.csv"], bucket), "add");
      const repo = { VC_REPO: `file://${join(dir, "repo")}` };
      ok(await vc(["repo", "init"], repo), "init");
      const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], repo), "add").stdout.trim();
      const commands = [
        { what: "get", run: (dest: string) => vc(["get", "/a.csv", dest], bucket) },
        { what: "repo get", run: (dest: string) => vc(["repo", "get", id, "--to", dest], repo) },
      ];

      for (const { what, run } of commands) {
        const at = join(dir, what.replace(" ", "-"));
        await Deno.mkdir(at);
        // A chain of two links to a file.
        await Deno.writeTextFile(join(at, "real.csv"), "old\n");
        await Deno.symlink("real.csv", join(at, "link.csv"));
        await Deno.symlink("link.csv", join(at, "chain.csv"));
        ok(await run(join(at, "chain.csv")), `${what} through a chain`);
        assertEquals(Deno.lstatSync(join(at, "chain.csv")).isSymlink, true, what);
        assertEquals(Deno.lstatSync(join(at, "link.csv")).isSymlink, true, what);
        assertEquals(await Deno.readTextFile(join(at, "real.csv")), "new\n", what);

        // A dangling link: its target is created.
        await Deno.symlink("made.csv", join(at, "dangling.csv"));
        ok(await run(join(at, "dangling.csv")), `${what} through a dangling link`);
        assertEquals(Deno.lstatSync(join(at, "dangling.csv")).isSymlink, true, what);
        assertEquals(await Deno.readTextFile(join(at, "made.csv")), "new\n", what);

        // A loop: refused, naming DEST, the links left as they were.
        await Deno.symlink("loop2.csv", join(at, "loop1.csv"));
        await Deno.symlink("loop1.csv", join(at, "loop2.csv"));
        const loop = await run(join(at, "loop1.csv"));
        assertEquals(loop.code, 1, `${what}: ${loop.stderr}`);
        assertStringIncludes(
          loop.stderr,
          `${join(at, "loop1.csv")}: too many levels of symbolic links`,
        );
        assertEquals(Deno.lstatSync(join(at, "loop1.csv")).isSymlink, true, what);
        assertEquals(
          [...Deno.readDirSync(at)].filter((e) => e.name.includes("vc-tmp")),
          [],
          what,
        );
      }

      // Written through, a link to the manifest would let the copy replace
      // it: refused before the download, the manifest kept.
      const manifest = join(dir, "versioned_assets.json");
      const pins = await Deno.readTextFile(manifest);
      await Deno.symlink(manifest, join(dir, "to-manifest.json"));
      const own = await vc(["get", "/a.csv", "to-manifest.json"], bucket);
      assertEquals(own.code, 2, own.stderr);
      assertStringIncludes(own.stderr, "is the manifest");
      assertEquals(await Deno.readTextFile(manifest), pins);
      assertEquals(Deno.lstatSync(join(dir, "to-manifest.json")).isSymlink, true);
    });
  },
});
