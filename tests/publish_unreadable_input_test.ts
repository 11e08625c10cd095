/**
 * `vc add` / `vc update` / `vc repo add` of an input that cannot be read:
 * a file without read permission (or in a directory that may not be
 * entered) failed with a bare OS error (`vc: Permission denied (os error
 * 13): open '…'`) that did not say what the file was for; a symbolic link
 * to nothing was reported as a file that "does not exist" though `ls`
 * shows it. Each now names the role, the path and the reason, and nothing
 * is published or recorded.
 *
 * The permission cases run `vc` as user `nobody` with `setpriv`: ignored
 * unless root.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { regularFile } from "../src/regular_file.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "a symbolic link to nothing is named as one",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_dangling_input_" });
    try {
      const link = join(dir, "a.csv");
      await Deno.symlink("gone.csv", link);
      const e = await assertRejects(() => regularFile(link, "file to publish as /a.csv"));
      assertEquals(e instanceof NotFoundError, true);
      assertStringIncludes(
        e.message,
        `file to publish as /a.csv: ${link} is a symbolic link to gone.csv, which does not exist`,
      );
      await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
      await assertRejects(() => repo.add("/a.csv", link), NotFoundError);
      assertEquals(await repo.list({}), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "add, update and repo add of a file nobody may read name it and publish nothing " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "vc_unreadable_input_" });
    try {
      await Deno.chmod(root, 0o777);
      const secret = join(root, "secret.csv");
      await Deno.writeTextFile(secret, "a,b\n");
      await Deno.chmod(secret, 0o600); // root's: nobody may not read it
      const locked = join(root, "locked");
      await Deno.mkdir(locked, { mode: 0o700 });
      const inLocked = join(locked, "x.csv");
      await Deno.writeTextFile(inLocked, "x\n");
      const ok = join(root, "ok.csv");
      await Deno.writeTextFile(ok, "ok\n");
      await Deno.chmod(ok, 0o644);
      const work = join(root, "work");
      await Deno.mkdir(work);
      await Deno.chown(work, 65534, 65534);
      const bucket = pathToFileURL(join(work, "bucket")).href;
      const manifest = join(work, "versioned_assets.json");
      const common = ["--bucket", bucket, "--manifest", manifest];
      for (const source of [secret, inLocked]) {
        const r = await asNobody(root, { vc: ["add", "/a.csv", source, ...common] });
        assertEquals([r.code, r.stdout], [1, ""], r.stderr);
        assertStringIncludes(
          r.stderr,
          `vc: file to publish as /a.csv: ${source} cannot be read (permission denied)`,
        );
      }
      assertEquals(await Deno.stat(join(work, "bucket")).catch(() => undefined), undefined);
      // update: a pinned path, then an unreadable new content.
      const added = await asNobody(root, { vc: ["add", "/a.csv", ok, ...common] });
      assertEquals(added.code, 0, added.stderr);
      const before = await Deno.readTextFile(manifest);
      const u = await asNobody(root, { vc: ["update", "/a.csv", secret, "--patch", ...common] });
      assertEquals(u.code, 1, u.stderr);
      assertStringIncludes(
        u.stderr,
        `vc: file to publish as /a.csv: ${secret} cannot be read (permission denied)`,
      );
      assertEquals(await Deno.readTextFile(manifest), before);
      const versions = [];
      for await (const e of Deno.readDir(join(work, "bucket"))) {
        if (e.name.endsWith(".csv")) versions.push(e.name);
      }
      assertEquals(versions, ["a.1.0.0.csv"]);

      const repoUri = pathToFileURL(join(work, "repo")).href;
      const init = await asNobody(root, { vc: ["repo", "init", "--repo", repoUri] });
      assertEquals(init.code, 0, init.stderr);
      const r = await asNobody(root, { vc: ["repo", "add", "/r.csv", secret, "--repo", repoUri] });
      assertEquals([r.code, r.stdout], [1, ""], r.stderr);
      assertStringIncludes(
        r.stderr,
        `vc: file to add as /r.csv: ${secret} cannot be read (permission denied)`,
      );
      const ls = await asNobody(root, { vc: ["repo", "ls", "--json", "--repo", repoUri] });
      assertEquals(JSON.parse(ls.stdout), []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
