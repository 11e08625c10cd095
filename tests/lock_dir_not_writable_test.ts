/**
 * `vc lock` of a manifest in a directory the user may not write (a read-only
 * checkout or mount) downloaded every entry it had to lock and only then
 * failed to take the lock file's lock, with a bare "Permission denied" on a
 * guard file. It now tries the writes first, downloads nothing, and says
 * that the lock file was not changed. Runs `vc` as user `nobody` with
 * `setpriv`: ignored unless root (root writes anywhere).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

// Every file under `dir` (bounded: a test cache holds a few).
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

Deno.test({
  name: "lock: a manifest directory that cannot be written fails before any download " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "vc-lock-dir-not-writable-" });
    try {
      await Deno.chmod(root, 0o755);
      const project = `${root}/project`;
      const bucket = `${root}/bucket`;
      const cacheDir = `${root}/cache`;
      const manifest = `${project}/versioned_assets.json`;
      await Deno.mkdir(project);
      await Deno.mkdir(`${bucket}/data`, { recursive: true });
      await Deno.mkdir(cacheDir);
      await Deno.writeTextFile(`${bucket}/data/x.1.0.0.csv`, "x\n");
      await Deno.writeTextFile(manifest, '{\n    "/data/x.csv": "1.0.0"\n}\n');
      await Deno.chmod(project, 0o555);
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", bucket, cacheDir] }).output();

      const lock = await asNobody(root, {
        vc: ["lock", "--manifest", manifest, "--bucket", bucket, "--cache-dir", cacheDir],
      });
      assertEquals(lock.code, 1, lock.stderr);
      assertStringIncludes(lock.stderr, `cannot write manifest ${manifest}`);
      assertStringIncludes(lock.stderr, "nothing was added to the lock file");
      assertEquals(filesUnder(cacheDir).filter((f) => f.endsWith("x.1.0.0.csv")), []);
      assertEquals([...Deno.readDirSync(project)].map((e) => e.name), ["versioned_assets.json"]);
    } finally {
      await Deno.chmod(`${root}/project`, 0o755).catch(() => {});
      await Deno.remove(root, { recursive: true });
    }
  },
});
