/**
 * The error lines of `vc mirror`: each names its path once (the line's
 * subject, never again in the error's own text), says what failed and what
 * to do, on one line, with no trace and no `[object Object]`. Against the
 * fake S3 (faults injected) and local files in the way, both directions.
 */
import { join } from "node:path";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { StoreError } from "../src/errors.ts";
import { printable } from "../src/printable.ts";
import type { PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

/** The `vc: mirror: PATH: …` lines of a run's stderr, each checked for the shape every one must have. */
function failureLines(stderr: string): string[] {
  const lines = stderr.split("\n").filter((l) =>
    l.startsWith("vc: mirror: /") || /^vc: mirror: \w+:\/\//.test(l)
  );
  for (const line of lines) {
    const path = /^vc: mirror: (.+?): /.exec(line)![1]!;
    assertEquals(line.split(path).length, 2, `the path is named once: ${line}`);
    assert(!line.includes("[object"), line);
    assert(
      !/\\n|\bat file:|os error \d+\): \w+ '/.test(line),
      `no trace or system detail: ${line}`,
    );
  }
  return lines;
}

Deno.test("vc mirror: error lines name the path once and say what to do (store errors, things in the way)", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  const env = { ...fake.env };
  await withProcessEnv(env, async () => {
    await ws.write("data/a.txt", "a");
    await fake.putObject("b", "up/stale.txt", "s");
    fake.failNext(50, "internal", (t) => t.op === "DeleteObjects" || t.op === "DeleteObject");
    const up = await ws.run(["mirror", "data", "s3://b/up", "--state", "up.db", "--delete"]);
    fake.clearFaults();
    assertEquals(up.code, 1, up.stderr);
    const upLines = failureLines(up.stderr);
    assertEquals(upLines.length, 1, up.stderr);
    assertMatch(
      upLines[0]!,
      /^vc: mirror: s3:\/\/b\/up\/stale\.txt: DELETE failed: 500 InternalError: .* \(request id \w+\) \(gave up after 5 attempts\); the next run tries it again$/,
    );

    // Store → local: a key whose file place holds a directory with files,
    // a key no file can have, a GET the store keeps failing.
    await fake.putObject("b", "down/dir.txt", "a file");
    await fake.putObject("b", "down/x/../y.txt", "dot-dot");
    await fake.putObject("b", "down/flaky.txt", "f");
    await ws.write("out/dir.txt/inner", "kept");
    fake.failNext(50, "internal", (t) => t.op === "GetObject" && t.key === "down/flaky.txt");
    const down = await ws.run(["mirror", "s3://b/down", "out", "--state", "down.db"]);
    fake.clearFaults();
    assertEquals(down.code, 1, down.stderr);
    const out = ws.path("out");
    const lines = failureLines(down.stderr);
    assertEquals(lines.length, 3, down.stderr);
    const about = (name: string) => lines.find((l) => l.includes(name)) ?? "";
    assertEquals(
      about("dir.txt"),
      `vc: mirror: ${out}/dir.txt: in the way: a directory with files is where this file goes ` +
        `(a bucket may hold keys "a" and "a/b" at once, a file system cannot): it holds ` +
        `"inner"; rename or remove one of the two`,
    );
    assertEquals(
      about("y.txt"),
      `vc: mirror: s3://b/down/x/../y.txt: not written: key has a ".." segment; rename the ` +
        `object in the store, or leave it out with --exclude`,
    );
    assertMatch(
      about("flaky"),
      new RegExp(
        `^vc: mirror: ${out}/flaky\\.txt: GET s3://b/down/flaky\\.txt failed: 500 ` +
          `InternalError: .*; the next run tries it again$`,
      ),
    );
  });
});

/**
 * A directory store that rewrites a file in place (same size) just before it
 * reads it for an upload: its own check of the body's MD5 then fails.
 */
class RewritesBeforeReading extends FsStore {
  override async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    if (typeof body === "object" && body !== null && "path" in body) {
      const size = (await Deno.stat(body.path)).size;
      await Deno.writeFile(body.path, new Uint8Array(size).fill(0x42));
    }
    return await super.put(key, body, options);
  }
}

Deno.test("mirror: a file that vanished or changed while it was uploaded is named once, with what happens next", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "c.txt": "c" });
  await Deno.writeFile(join(src, "big.bin"), new Uint8Array(1024 * 1024 + 1).fill(0x41));
  const store = new RewritesBeforeReading(join(w.dir, "store"));
  try {
    const r = await mirror({
      sources: [src],
      target: store,
      concurrency: 1,
      statePath: join(w.dir, "s.db"),
      // The walk has already listed c.txt when a.txt is done.
      onProgress: (p) => {
        if (p.current === "a.txt" && p.done === 1) Deno.removeSync(join(src, "c.txt"));
      },
    });
    assertEquals(r.failed, [
      {
        key: "big.bin",
        path: join(src, "big.bin"),
        // Not the store's words about the digests: what happened, and what comes of it.
        // The store refused it: nothing was stored, so it keeps what it had.
        error: "changed while it was uploaded; the upload was aborted (the store keeps the " +
          "object it had), and the next run uploads the file again",
        errorName: "VcError",
      },
      {
        key: "c.txt",
        path: join(src, "c.txt"),
        error: "vanished: No such file or directory (os error 2); the next run mirrors what is " +
          "there then",
        errorName: "VcError",
      },
    ]);
  } finally {
    await store.close();
  }
});

/** Removes a file read from disk (past 1 MiB) after it was hashed, before the store opens it. */
class RemovesBeforeReading extends FsStore {
  override async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    if (typeof body === "object" && body !== null && "path" in body) {
      await Deno.remove(body.path);
    }
    return await super.put(key, body, options);
  }
}

Deno.test("mirror: a file deleted before its upload read it is said to have vanished, with no object stored", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  await Deno.writeFile(join(src, "big.bin"), new Uint8Array(1024 * 1024 + 1).fill(0x41));
  const store = new RemovesBeforeReading(join(w.dir, "store"));
  try {
    const r = await mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db") });
    // Was: "changed while it was uploaded; the object may not match its
    // vc-md5": neither changed, nor any object written.
    assertEquals(r.failed, [{
      key: "big.bin",
      path: join(src, "big.bin"),
      error: "vanished while it was uploaded; the upload was aborted (the store keeps the " +
        "object it had), and the next run mirrors what is there then",
      errorName: "VcError",
    }]);
    assertEquals(await store.head("big.bin"), undefined);
  } finally {
    await store.close();
  }
});

Deno.test("mirror: a vanished file whose name holds a quote (it's.txt, z' -> 'y.txt) is named once", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const names = ["it's.txt", "z' -> 'y.txt"];
  await writeTree(src, { "a.txt": "a", [names[0]!]: "1", [names[1]!]: "2" });
  const r = await mirror({
    sources: [src],
    target: new FsStore(join(w.dir, "store")),
    concurrency: 1,
    statePath: join(w.dir, "s.db"),
    // The walk has already listed both when a.txt is done.
    onProgress: (p) => {
      if (p.current === "a.txt" && p.done === 1) {
        for (const name of names) Deno.removeSync(join(src, name));
      }
    },
  });
  assertEquals(
    r.failed,
    names.map((name) => ({
      key: name,
      path: join(src, name),
      error: "vanished: No such file or directory (os error 2); the next run mirrors what is " +
        "there then",
      errorName: "VcError",
    })),
  );
});

/** A store whose every PUT fails as S3's do, naming the key in its message. */
class FailsPuts extends FsStore {
  override put(key: string): Promise<PutResult> {
    return Promise.reject(
      new StoreError(`PUT s3://b/${key} failed: 500 InternalError`, { status: 500 }),
    );
  }
}

Deno.test("mirror: a failure of a file whose name holds a newline keeps its cause (the line does not end inside the name)", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const name = "new\nline.txt";
  await writeTree(src, { [name]: "n" });
  const store = new FailsPuts(join(w.dir, "store"));
  try {
    const r = await mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db") });
    assertEquals(r.failed, [{
      key: name,
      path: join(src, name),
      // Its message as every error message shows an outside name: escaped.
      error: `PUT s3://b/${printable(name)} failed: 500 InternalError; the next run tries it again`,
      errorName: "StoreError",
    }]);
  } finally {
    await store.close();
  }
});

Deno.test("mirror: a small file that grew after the walk listed it is named once, as changed", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "log.txt": "1" });
  const store = new FsStore(join(w.dir, "store"));
  try {
    const r = await mirror({
      sources: [src],
      target: store,
      concurrency: 1,
      statePath: join(w.dir, "s.db"),
      // The walk has already listed log.txt (1 byte) when a.txt is done.
      onProgress: (p) => {
        if (p.current === "a.txt" && p.done === 1) {
          Deno.writeTextFileSync(join(src, "log.txt"), "123");
        }
      },
    });
    assertEquals(r.failed, [{
      key: "log.txt",
      path: join(src, "log.txt"),
      error: "changed while it was read (3 bytes, listed with 1); the next run uploads what is " +
        "there then",
      errorName: "VcError",
    }]);
    assertEquals(await store.head("log.txt"), undefined);
    const again = await mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db") });
    assertEquals([again.failed, again.transferred], [[], 1]);
  } finally {
    await store.close();
  }
});

Deno.test("vc mirror: a download the store sent damaged (or cut off) names its file once", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  await withProcessEnv({ ...fake.env }, async () => {
    await fake.putObject("b", "down/bad.bin", "x".repeat(200_000));
    await fake.putObject("b", "down/cut.bin", "y".repeat(200_000));
    fake.failNext(1000, "corrupt", (t) => t.op === "GetObject" && t.key === "down/bad.bin");
    fake.failNext(1000, "truncate", (t) => t.op === "GetObject" && t.key === "down/cut.bin");
    const down = await ws.run(["mirror", "s3://b/down", "out", "--state", "down.db"]);
    fake.clearFaults();
    assertEquals(down.code, 1, down.stderr);
    // It said "…/out/bad.bin: …: content does not match its ETag: … (200000
    // bytes, downloading to …/out/bad.bin) …": the same file twice.
    const lines = failureLines(down.stderr);
    assertEquals(lines.length, 2, down.stderr);
    const bad = lines.find((l) => l.includes("bad.bin"))!;
    assertMatch(bad, /content does not match its ETag: .* \(200000 bytes\)/);
  });
});
