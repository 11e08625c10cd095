/**
 * `vc add` / `vc update` stopped between the upload and the manifest write
 * (kill -9, a lost machine): the version is in the bucket, the manifest and
 * the lock file are as they were. Running the same command again must
 * converge: pin the version that already holds the file, upload nothing more.
 *
 * The stop is injected at that exact step: a store whose create-only put
 * lands and then throws, as if the process died right after it.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import type { ObjectStore, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";

/** Whether the next put dies after it lands, and how many puts were made. */
interface Crash {
  armed: boolean;
  puts: number;
}

class DiesAfterUpload extends WrappingStore {
  constructor(inner: ObjectStore, readonly crash: Crash) {
    super(inner);
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    this.crash.puts++;
    const result = await this.inner.put(key, body, options);
    if (this.crash.armed) {
      this.crash.armed = false;
      throw new Error(`process died after uploading ${key}`);
    }
    return result;
  }
}

async function crashingWorkspace() {
  const crash: Crash = { armed: false, puts: 0 };
  const ws = await workspace({ wrap: (inner: ObjectStore) => new DiesAfterUpload(inner, crash) });
  const lockFile = ws.vc.lockFile;
  assert(lockFile !== undefined);
  return { ws, lockFile, crash };
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

async function bucketKeys(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const e of Deno.readDir(bucket)) if (!e.name.startsWith(".")) keys.push(e.name);
  return keys.sort();
}

Deno.test("add stopped after its upload: running it again pins that version", async () => {
  const { ws, lockFile, crash } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "a,b\n1,2\n");
  crash.armed = true;
  await assertRejects(() => ws.vc.add("/t.csv", file), Error, "process died");
  assertEquals(await bucketKeys(ws.bucket), ["t.1.0.0.csv"]);
  assertEquals(await Deno.stat(ws.manifest).catch(() => undefined), undefined);

  const puts = crash.puts;
  assertEquals(await ws.vc.add("/t.csv", file), "1.0.0");
  assertEquals(crash.puts, puts, "nothing uploaded again");
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.0" });
  const locks = await readJson(lockFile);
  assertEquals(Object.keys(locks), ["/t.csv@1.0.0"]);
  assertEquals(await Deno.readTextFile(await ws.vc.path("/t.csv")), "a,b\n1,2\n");
  // Converged: a third run is refused as for any pinned path.
  await assertRejects(() => ws.vc.add("/t.csv", file), InvalidInputError, "already versioned");
});

Deno.test("add of another file over a version left in the bucket is still refused", async () => {
  const { ws, crash } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "first\n");
  crash.armed = true;
  await assertRejects(() => ws.vc.add("/t.csv", file), Error, "process died");
  await Deno.writeTextFile(file, "other\n");
  await assertRejects(
    () => ws.vc.add("/t.csv", file),
    InvalidInputError,
    "already has versions",
  );
  // Another version than the one left there is refused too.
  await Deno.writeTextFile(file, "first\n");
  await assertRejects(
    () => ws.vc.add("/t.csv", file, { version: "2.0.0" }),
    InvalidInputError,
    "already has versions",
  );
  assertEquals(await Deno.stat(ws.manifest).catch(() => undefined), undefined);
});

Deno.test("update stopped after its upload: running it again pins that version", async () => {
  const { ws, lockFile, crash } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "v1\n");
  await ws.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "v2\n");
  crash.armed = true;
  await assertRejects(() => ws.vc.update("/t.csv", file, { patch: true }), Error, "process died");
  assertEquals(await bucketKeys(ws.bucket), ["t.1.0.0.csv", "t.1.0.1.csv"]);
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.0" });

  const puts = crash.puts;
  const r = await ws.vc.update("/t.csv", file, { patch: true });
  assertEquals(r, { path: "/t.csv", from: "1.0.1", to: "1.0.1", pinned: "1.0.0", adopted: true });
  assertEquals(crash.puts, puts, "nothing uploaded again");
  assertEquals(await bucketKeys(ws.bucket), ["t.1.0.0.csv", "t.1.0.1.csv"]);
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.1" });
  assertEquals(Object.keys(await readJson(lockFile)).sort(), ["/t.csv@1.0.0", "/t.csv@1.0.1"]);
  assertEquals(await Deno.readTextFile(await ws.vc.path("/t.csv")), "v2\n");
  // Converged: the manifest pins the latest, so the same file is refused as identical.
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { patch: true }),
    InvalidInputError,
    "identical",
  );
  // --force still publishes a new version.
  assertEquals((await ws.vc.update("/t.csv", file, { patch: true }, { force: true })).to, "1.0.2");
});

Deno.test("update never pins a latest version whose lock entry names other content", async () => {
  const { ws, lockFile } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "v1\n");
  await ws.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "v2\n");
  await ws.vc.update("/t.csv", file, { patch: true });
  // The manifest falls back to 1.0.0 and the lock entry of 1.0.1 disagrees with the bucket.
  await Deno.writeTextFile(ws.manifest, '{\n    "/t.csv": "1.0.0"\n}\n');
  const locks = await readJson(lockFile);
  locks["/t.csv@1.0.1"] = { size: 3, sha256: "0".repeat(64) };
  await Deno.writeTextFile(lockFile, JSON.stringify(locks));
  // The lock file says 1.0.1 is other content, so the file is not 1.0.1 (not
  // pinned, nor refused as identical to it): it is published as 1.0.2.
  const result = await ws.vc.update("/t.csv", file, { patch: true });
  assertEquals([result.from, result.to, result.adopted], ["1.0.1", "1.0.2", undefined]);
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.2" });
  assertEquals(await bucketKeys(join(ws.bucket)), ["t.1.0.0.csv", "t.1.0.1.csv", "t.1.0.2.csv"]);
  assertEquals((await readJson(lockFile))["/t.csv@1.0.1"], { size: 3, sha256: "0".repeat(64) });
});

Deno.test("update --version stopped after its upload: running it again pins that version", async () => {
  // The same command again must converge as `--patch` does: it was refused
  // as "must be greater than the latest version 2.0.0", naming the patch
  // option as publishing 2.0.1, where that option adopts 2.0.0.
  const { ws, crash } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "v1\n");
  await ws.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "v2\n");
  crash.armed = true;
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { version: "2.0.0" }),
    Error,
    "process died",
  );
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.0" });

  const puts = crash.puts;
  const r = await ws.vc.update("/t.csv", file, { version: "2.0.0" });
  assertEquals(r, { path: "/t.csv", from: "2.0.0", to: "2.0.0", pinned: "1.0.0", adopted: true });
  assertEquals(crash.puts, puts, "nothing uploaded again");
  assertEquals(await readJson(ws.manifest), { "/t.csv": "2.0.0" });
  // Converged: the manifest pins it, so the same file is refused as identical.
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { version: "2.0.0" }),
    InvalidInputError,
    "identical",
  );
  // Another file at that version is still refused: versions are never replaced.
  await Deno.writeTextFile(file, "v3\n");
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { version: "2.0.0" }),
    InvalidInputError,
    "must be greater than the latest version 2.0.0",
  );
  assertEquals(await bucketKeys(ws.bucket), ["t.1.0.0.csv", "t.2.0.0.csv"]);
});

Deno.test("update --version of a pre-release the manifest pins, same file: refused as identical", async () => {
  const { ws } = await crashingWorkspace();
  await using _ = ws;
  const file = await writeFile(ws.dir, "t.csv", "v1\n");
  await ws.vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "rc\n");
  await ws.vc.update("/t.csv", file, { version: "2.0.0-rc.1" });
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { version: "2.0.0-rc.1" }),
    InvalidInputError,
    "identical",
  );
});
