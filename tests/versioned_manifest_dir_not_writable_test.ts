/**
 * `vc add` / `vc update` of a manifest in a directory the user may not write
 * (a read-only checkout or mount, one owned by another user) uploaded the
 * version and only then failed to take the manifest's lock, leaving the
 * version published and unpinned. They now try the pin's writes first and
 * publish nothing. Runs `vc` as user `nobody` with `setpriv`: ignored unless
 * root (root writes anywhere).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "add / update: a manifest directory that cannot be written fails before anything is " +
    "published (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "vc-manifest-dir-not-writable-" });
    try {
      await Deno.chmod(root, 0o755);
      const project = `${root}/project`;
      const bucket = `${root}/bucket`;
      const cacheDir = `${root}/cache`;
      const manifest = `${project}/versioned_assets.json`;
      await Deno.mkdir(project);
      await Deno.mkdir(`${bucket}/data`, { recursive: true });
      await Deno.mkdir(cacheDir);
      await Deno.writeTextFile(`${root}/a.csv`, "a\n");
      await Deno.writeTextFile(`${bucket}/data/x.1.0.0.csv`, "x\n");
      await Deno.writeTextFile(manifest, '{\n    "/data/x.csv": "1.0.0"\n}\n');
      // Others may read the project, the file to publish and the bucket, and
      // write the bucket and the cache, but not the project's directory.
      await Deno.chmod(project, 0o555);
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", bucket, cacheDir] }).output();
      const published = () => [...Deno.readDirSync(`${bucket}/data`)].map((e) => e.name).sort();
      const before = published();
      const vc = (...args: string[]) =>
        asNobody(root, {
          vc: [...args, "--manifest", manifest, "--bucket", bucket, "--cache-dir", cacheDir],
        });

      const add = await vc("add", "/data/new.csv", `${root}/a.csv`);
      assertEquals(published(), before, add.stderr);
      assertEquals(add.code, 1, add.stderr);
      assertStringIncludes(add.stderr, `cannot write manifest ${manifest}`);
      assertStringIncludes(add.stderr, "nothing was published");

      const update = await vc("update", "/data/x.csv", `${root}/a.csv`, "--patch");
      assertEquals(published(), before, update.stderr);
      assertEquals(update.code, 1, update.stderr);
      assertStringIncludes(update.stderr, "nothing was published");
      assertEquals(await Deno.readTextFile(manifest), '{\n    "/data/x.csv": "1.0.0"\n}\n');
    } finally {
      await Deno.chmod(`${root}/project`, 0o755).catch(() => {});
      await Deno.remove(root, { recursive: true });
    }
  },
});
