/**
 * A file of the user's that a script's `--allow-read` / `--allow-write`
 * leave out (a manifest, a file to publish, the manifest's directory, a
 * sync DEST, a download's destination) is an `AccessDeniedError` naming it
 * and the flag to add, as the cache dir and a `file://` store are: it was a
 * bare `NotCapable` (or a plain `VcError`) naming a lock or temp file of
 * vc's, or "cannot create the directory of manifest" for a directory that
 * exists.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

/** Runs `body` (with `show(promise)` printing ok or the error) under `flags` only (in `cwd`); its lines. */
function run(dir: string, body: string, flags: string[], cwd?: string): Promise<string[]> {
  return runLimitedScript(
    dir,
    {
      imports: ["AssetCache", "VersionedCache"],
      importsFrom: { "src/store/mod.ts": ["downloadToFile", "FsStore"] },
      body,
      grantDir: false,
      clearEnv: true,
      ...(cwd === undefined ? {} : { cwd }),
    },
    flags,
    { NO_COLOR: "1" },
  );
}

Deno.test("a manifest, file, directory or destination the script may not read or write is named with the flag to add", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-user-files-permission-" }));
  try {
    const [data, bucket, cache, dest] = ["data", "bucket", "cache", "dest"].map((d) =>
      `${dir}/${d}`
    ) as [string, string, string, string];
    for (const d of [data, bucket, cache, dest]) await Deno.mkdir(d);
    await Deno.writeTextFile(`${data}/m.json`, '{"/a.txt": "1.0.0"}\n');
    await Deno.writeTextFile(`${data}/new.txt`, "new");
    await Deno.writeTextFile(`${bucket}/a.1.0.0.txt`, "a");
    const body = `const vc = new VersionedCache({
  manifest: ${JSON.stringify(`${data}/m.json`)},
  bucket: ${JSON.stringify(`file://${bucket}`)},
  cache: new AssetCache({ cacheDir: ${JSON.stringify(cache)}, configPath: false }),
});
await show(vc.path("/a.txt"));
await show(vc.add("/new.txt", ${JSON.stringify(`${data}/new.txt`)}));
await show(vc.sync(${JSON.stringify(dest)}));
await show(downloadToFile(new FsStore(${JSON.stringify(bucket)}), "a.1.0.0.txt", ${
      JSON.stringify(`${dest}/a.txt`)
    }));`;
    const store = [`--allow-read=${bucket},${cache}`, `--allow-write=${cache}`];
    // The manifest and the file to add may not be read.
    const [path, add] = await run(dir, body, store);
    assertEquals(
      path,
      `AccessDeniedError: cannot read manifest ${data}/m.json: this script may not read ` +
        `${data}/m.json (Requires read access to "${data}/m.json", run again with the ` +
        `--allow-read flag); run with --allow-read=${data}/m.json`,
    );
    assertStringIncludes(add!, `AccessDeniedError: file to publish as /new.txt: this script`);
    assertStringIncludes(add!, `run with --allow-read=${data}/new.txt`);
    // Read, not written: the manifest's directory, DEST and the destination are named.
    const [, addNoWrite, sync, download] = await run(dir, body, [`--allow-read=${dir}`, ...store]);
    assertStringIncludes(addNoWrite!, `AccessDeniedError: cannot write manifest ${data}/m.json`);
    assertStringIncludes(addNoWrite!, `this script may not write ${data} (`);
    assertStringIncludes(addNoWrite!, `run with --allow-read=${data} --allow-write=${data}`);
    assertStringIncludes(
      sync!,
      `AccessDeniedError: \`sync()\` cannot keep its records in ${dest}: this script may not write`,
    );
    assertStringIncludes(sync!, `run with --allow-read=${dest} --allow-write=${dest}`);
    assertStringIncludes(
      download!,
      `AccessDeniedError: downloadToFile(): cannot write ${dest}/a.txt: this script may not ` +
        `write ${dest} (`,
    );
    assertStringIncludes(download!, `run with --allow-read=${dest} --allow-write=${dest}`);
    // None of it written.
    assertEquals(await Deno.readTextFile(`${data}/m.json`), '{"/a.txt": "1.0.0"}\n');
    assertEquals([...Deno.readDirSync(dest)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a download to a relative path in the working directory the script may not write is named with the flag to add", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-user-files-permission-" }));
  try {
    const [bucket, dest] = [`${dir}/bucket`, `${dir}/dest`];
    for (const d of [bucket, dest]) await Deno.mkdir(d);
    await Deno.writeTextFile(`${bucket}/a.txt`, "a");
    // Deno names the temp file as vc gave it, relative (".a.txt.vc-tmp-…"),
    // not below the directory "." the destination is in.
    const [download] = await run(
      dir,
      `await show(downloadToFile(new FsStore(${JSON.stringify(bucket)}), "a.txt", "a.txt"));`,
      [`--allow-read=${bucket}`],
      dest,
    );
    assertStringIncludes(
      download!,
      "AccessDeniedError: downloadToFile(): cannot write a.txt: this script may not write . (",
    );
    assertStringIncludes(download!, "run with --allow-read=. --allow-write=.");
    assertEquals([...Deno.readDirSync(dest)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
