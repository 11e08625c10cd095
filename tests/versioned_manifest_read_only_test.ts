/**
 * `vc add` / `vc update` / `vc lock` of a manifest or lock file that is
 * read-only (`chmod a-w`, a Perforce checkout not opened for edit) in a
 * directory the user may write. The atomic write renamed a new file over it,
 * silently, keeping the read-only mode: the protection the user set was
 * ignored (on Windows, whose rename refuses a read-only file, the version was
 * published and then left unpinned). Each now refuses before it publishes or
 * downloads anything, saying the file is read-only. Runs `vc` as user
 * `nobody` with `setpriv`: ignored unless root (root may write any file).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { asNobody, canRunAsNobody, type NobodyRun } from "./as_nobody.ts";
import { readManifest, updateManifest } from "../src/versioned/mod.ts";

const PINNED = '{\n    "/data/x.csv": "1.0.0"\n}\n';
const LOCKED = '{\n  "/data/x.csv@1.0.0": {"size": 2, "sha256": "' +
  "e8d1e6bd8b5fd5c1b6e2b0f1b1f5c7d4f3c1b0a1e2d3c4b5a6978877665544ab" + '"}\n}\n';

/**
 * A project, its bucket and cache, all owned by `nobody`, whose manifest
 * pins `/data/x.csv` 1.0.0 and has a lock file, with a file `a.csv` to publish.
 */
async function project(prefix: string) {
  const root = await Deno.makeTempDir({ prefix });
  const bucket = `${root}/bucket`;
  const cacheDir = `${root}/cache`;
  const manifest = `${root}/versioned_assets.json`;
  const lockFile = `${root}/versioned_assets.lock.json`;
  await Deno.mkdir(`${bucket}/data`, { recursive: true });
  await Deno.mkdir(cacheDir);
  await Deno.writeTextFile(`${root}/a.csv`, "a\n");
  await Deno.writeTextFile(`${bucket}/data/x.1.0.0.csv`, "x\n");
  await Deno.writeTextFile(manifest, PINNED);
  await Deno.writeTextFile(lockFile, LOCKED);
  await new Deno.Command("chown", { args: ["-R", "65534:65534", root] }).output();
  /** Versions in the bucket. */
  const published = () => [...Deno.readDirSync(`${bucket}/data`)].map((e) => e.name).sort();
  /** `vc ARGS` as `nobody` on this manifest, bucket and cache. */
  const vc = (...args: string[]): Promise<NobodyRun> =>
    asNobody(root, {
      vc: [...args, "--manifest", manifest, "--bucket", bucket, "--cache-dir", cacheDir],
    });
  return {
    root,
    bucket,
    cacheDir,
    manifest,
    lockFile,
    vc,
    /**
     * `vc ARGS` fails (exit 1) saying each of `says` and that nothing was
     * published, and the bucket holds the versions it held before.
     */
    async refusedUnpublished(args: string[], ...says: string[]): Promise<void> {
      const before = published();
      const run = await vc(...args);
      assertEquals(run.code, 1, run.stderr);
      for (const text of says) assertStringIncludes(run.stderr, text);
      assertStringIncludes(run.stderr, "nothing was published");
      assertEquals(published(), before);
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test({
  name: "add / update: a read-only manifest is refused before anything is published, and is " +
    "left as it was (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await project("vc-manifest-read-only-");
    await Deno.chmod(p.manifest, 0o444);

    await p.refusedUnpublished(
      ["add", "/data/new.csv", `${p.root}/a.csv`],
      `cannot write manifest ${p.manifest}: it is read-only`,
      "chmod u+w",
    );
    await p.refusedUnpublished(
      ["update", "/data/x.csv", `${p.root}/a.csv`, "--patch"],
      "it is read-only",
    );

    assertEquals(await Deno.readTextFile(p.manifest), PINNED);
    assertEquals((await Deno.stat(p.manifest)).mode! & 0o777, 0o444);
    assertEquals(await Deno.readTextFile(p.lockFile), LOCKED);
  },
});

Deno.test({
  name: "add / lock: a read-only lock file is refused before anything is published or " +
    "downloaded (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await project("vc-lock-file-read-only-");
    await Deno.chmod(p.lockFile, 0o444);

    await p.refusedUnpublished(
      ["add", "/data/new.csv", `${p.root}/a.csv`],
      `cannot write lock file ${p.lockFile}: it is read-only`,
    );

    // A second pinned path without a lock entry, for `vc lock` to fill.
    await Deno.writeTextFile(`${p.bucket}/data/y.1.0.0.csv`, "y\n");
    await Deno.chmod(p.manifest, 0o666);
    await Deno.writeTextFile(
      p.manifest,
      '{\n    "/data/x.csv": "1.0.0",\n    "/data/y.csv": "1.0.0"\n}\n',
    );
    const lock = await p.vc("lock");
    assertEquals(lock.code, 1, lock.stderr);
    assertStringIncludes(lock.stderr, "it is read-only");
    assertStringIncludes(lock.stderr, "nothing was added to the lock file");
    assertEquals(await Deno.readTextFile(p.lockFile), LOCKED);
  },
});

Deno.test({
  name: "updateManifest: a read-only manifest, or another user's, is not replaced (ignored " +
    "unless root: runs as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await project("vc-update-manifest-read-only-");
    await Deno.chmod(p.manifest, 0o444);
    const mod = new URL("../src/versioned/mod.ts", import.meta.url).href;
    const update = `import { updateManifest } from ${JSON.stringify(mod)};
      try {
        await updateManifest(${JSON.stringify(p.manifest)}, (m) => { m["/b.csv"] = "1.0.0"; });
        console.log("written");
      } catch (e) { console.log(e.name + ": " + e.message); }`;
    const run = await asNobody(p.root, { evalCode: update });
    assertStringIncludes(run.stdout, `cannot write manifest ${p.manifest}: it is read-only`);
    assertEquals(await Deno.readTextFile(p.manifest), PINNED);
    // Another user's file (root's, 0644) in nobody's directory: not replaced either.
    await Deno.chmod(p.manifest, 0o644);
    await Deno.chown(p.manifest, 0, 0);
    const other = await asNobody(p.root, { evalCode: update });
    assertStringIncludes(
      other.stdout,
      `cannot write manifest ${p.manifest}: this user may not write it (mode 0644)`,
    );
    assertEquals(await Deno.readTextFile(p.manifest), PINNED);
    assertEquals((await Deno.stat(p.manifest)).uid, 0);
    // Root (the test) may write it, as any tool run by root would.
    await updateManifest(p.manifest, (m) => {
      m["/b.csv"] = "1.0.0";
    });
    assertEquals((await readManifest(p.manifest))["/b.csv"], "1.0.0");
  },
});

Deno.test({
  name: "lock: a read-only manifest, which vc lock never writes, does not stop it filling the " +
    "lock file (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    await using p = await project("vc-lock-read-only-manifest-");
    // A second pinned path without a lock entry, for `vc lock` to fill; the
    // manifest then protected (a Perforce checkout with only the lock file
    // opened for edit).
    await Deno.writeTextFile(`${p.bucket}/data/y.1.0.0.csv`, "y\n");
    const pinned = '{\n    "/data/x.csv": "1.0.0",\n    "/data/y.csv": "1.0.0"\n}\n';
    await Deno.writeTextFile(p.manifest, pinned);
    await Deno.chmod(p.manifest, 0o444);
    const lock = await p.vc("lock");
    assertEquals(lock.code, 0, lock.stderr);
    assertStringIncludes(await Deno.readTextFile(p.lockFile), '"/data/y.csv@1.0.0"');
    assertEquals(await Deno.readTextFile(p.manifest), pinned);
    assertEquals((await Deno.stat(p.manifest)).mode! & 0o777, 0o444);
  },
});
