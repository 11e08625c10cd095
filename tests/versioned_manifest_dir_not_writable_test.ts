/**
 * `vc add` / `vc update` / `vc lock` of a manifest in a directory the user
 * may not write (a read-only checkout or mount, one owned by another user).
 * `add` and `update` uploaded the version and only then failed to take the
 * manifest's lock, leaving the version published and unpinned; `lock`
 * downloaded every entry it had to lock and only then failed, with a bare
 * "Permission denied" on a guard file. Each now tries its writes first,
 * publishes and downloads nothing, and says so. Runs `vc` as user `nobody`
 * with `setpriv`: ignored unless root (root writes anywhere).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { asNobody, canRunAsNobody, type NobodyRun } from "./as_nobody.ts";
import { filesUnder } from "./files_under.ts";

const PINNED = '{\n    "/data/x.csv": "1.0.0"\n}\n';

/**
 * A project whose directory others may read but not write, its manifest
 * pinning `/data/x.csv` 1.0.0, beside a directory bucket and a cache that
 * others may read and write, and a file `a.csv` to publish.
 */
async function readOnlyProject(prefix: string) {
  const root = await Deno.makeTempDir({ prefix });
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
  await Deno.writeTextFile(manifest, PINNED);
  await Deno.chmod(project, 0o555);
  await new Deno.Command("chmod", { args: ["-R", "a+rwX", bucket, cacheDir] }).output();
  return {
    root,
    project,
    bucket,
    cacheDir,
    manifest,
    /** `vc ARGS` as `nobody` on this manifest, bucket and cache. */
    vc: (...args: string[]): Promise<NobodyRun> =>
      asNobody(root, {
        vc: [...args, "--manifest", manifest, "--bucket", bucket, "--cache-dir", cacheDir],
      }),
    async [Symbol.asyncDispose]() {
      await Deno.chmod(project, 0o755).catch(() => {});
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test({
  name: "add / update: a manifest directory that cannot be written fails before anything is " +
    "published (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await readOnlyProject("vc-manifest-dir-not-writable-");
    const published = () => [...Deno.readDirSync(`${p.bucket}/data`)].map((e) => e.name).sort();
    const before = published();

    const add = await p.vc("add", "/data/new.csv", `${p.root}/a.csv`);
    assertEquals(published(), before, add.stderr);
    assertEquals(add.code, 1, add.stderr);
    assertStringIncludes(add.stderr, `cannot write manifest ${p.manifest}`);
    assertStringIncludes(add.stderr, "nothing was published");

    const update = await p.vc("update", "/data/x.csv", `${p.root}/a.csv`, "--patch");
    assertEquals(published(), before, update.stderr);
    assertEquals(update.code, 1, update.stderr);
    assertStringIncludes(update.stderr, "nothing was published");
    assertEquals(await Deno.readTextFile(p.manifest), PINNED);
  },
});

Deno.test({
  name: "lock: a manifest directory that cannot be written fails before any download " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await readOnlyProject("vc-lock-dir-not-writable-");
    const lock = await p.vc("lock");
    assertEquals(lock.code, 1, lock.stderr);
    assertStringIncludes(lock.stderr, `cannot write manifest ${p.manifest}`);
    assertStringIncludes(lock.stderr, "nothing was added to the lock file");
    assertEquals(filesUnder(p.cacheDir).filter((f) => f.endsWith("x.1.0.0.csv")), []);
    assertEquals([...Deno.readDirSync(p.project)].map((e) => e.name), ["versioned_assets.json"]);
  },
});
