/**
 * One mirror, however its sides are typed, has one default state file and
 * one lock: a key prefix in the store URI or as a flag (`s3://b/two` or
 * `s3://b --target-prefix two`; a store source's `--source-prefix`; a local
 * target's `--target-prefix sub` or `TARGET/sub`), a `file://` store reached
 * through a symbolic link. Two runs spelled two ways were two state files:
 * both ran at once, each uploading everything. A state file an earlier
 * version named from the other spelling is taken over by the first run
 * after upgrading (nothing hashed or uploaded again), and a second run
 * beside a first is refused naming the first's process.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { defaultStatePath, MirrorState } from "../src/mirror/state.ts";
import { InvalidInputError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { parseUri } from "../src/uri.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { settle, tempDir, writeTree } from "./mirror_helpers.ts";

async function stateFiles(cacheDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(cacheDir, "mirror"))) {
    if (e.name.endsWith(".sqlite")) names.push(join(cacheDir, "mirror", e.name));
  }
  return names.sort();
}

async function refused(run: () => Promise<unknown>): Promise<string> {
  const e = await assertRejects(run, InvalidInputError);
  assertStringIncludes(e.message, "another `mirror()` is using the state file");
  return e.message;
}

/** Runs each spelling once; all after the first find everything unchanged. */
async function sameMirror(spellings: MirrorOptions[], cacheDir: string, files: number) {
  const first = await mirror({ ...spellings[0]!, cacheDir, racyWindowMs: 0 });
  assertEquals(first.transferred, files);
  for (const options of spellings.slice(1)) {
    const again = await mirror({ ...options, cacheDir, racyWindowMs: 0 });
    assertEquals([again.transferred, again.hashed, again.unchanged], [0, 0, files]);
  }
  const held = await stateFiles(cacheDir);
  assertEquals(held.length, 1, held.join(", "));
  const state = new MirrorState(held[0]!);
  try {
    for (const options of spellings) await refused(() => mirror({ ...options, cacheDir }));
  } finally {
    state.close();
  }
}

Deno.test("mirror: a file:// target's prefix in the URI, as --target-prefix or through a link is one state file and lock", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const store = join(w.dir, "store");
  await Deno.mkdir(join(store, "two"), { recursive: true });
  await Deno.symlink(store, join(w.dir, "store-link"));
  await sameMirror(
    [
      { sources: [src], target: `file://${store}/two` },
      { sources: [src], target: `file://${store}`, targetPrefix: "two" },
      { sources: [`${src}/`], target: `file://${store}/`, targetPrefix: "/two/" },
      { sources: [src], target: `file://${w.dir}/store-link/two` },
      { sources: [src], target: `file://${w.dir}/store-link`, targetPrefix: "two" },
    ],
    join(w.dir, "cache"),
    2,
  );
});

Deno.test("mirror: an s3:// target's prefix in the URI or as --target-prefix is one state file and lock", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const fake = await startFakeS3({ buckets: ["b"] });
  const opened: S3Store[] = [];
  try {
    const openStore = (uri: string) => {
      const p = parseUri(uri);
      if (p.scheme !== "s3") throw new Error(`not s3: ${uri}`);
      const s = new S3Store({
        bucket: p.bucket,
        prefix: p.key,
        endpoint: fake.url,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      opened.push(s);
      return Promise.resolve(s);
    };
    await sameMirror(
      [
        { sources: [src], target: "s3://b/two", openStore },
        { sources: [src], target: "s3://b", targetPrefix: "two", openStore },
        { sources: [src], target: "S3://b/two/", openStore },
        { sources: [`${src}/.`], target: "s3://b/", targetPrefix: "two/", openStore },
      ],
      join(w.dir, "cache"),
      2,
    );
    assertEquals(fake.stats.PutObject, 2);
  } finally {
    await Promise.all(opened.map((s) => s.close()));
    await fake.stop();
  }
});

Deno.test("mirror: a store source's --source-prefix, a local target's --target-prefix and a linked file:// source are one state file and lock", async () => {
  await using w = await tempDir();
  const store = join(w.dir, "store");
  await writeTree(join(store, "two"), { "a.txt": "a", "d/b.txt": "b" });
  await Deno.symlink(store, join(w.dir, "store-link"));
  const dst = join(w.dir, "dst");
  await Deno.mkdir(join(dst, "sub"), { recursive: true });
  await sameMirror(
    [
      { sources: [`file://${store}/two`], target: join(dst, "sub") },
      { sources: [`file://${store}`], sourcePrefix: "two", target: join(dst, "sub") },
      { sources: [`file://${store}/two`], target: dst, targetPrefix: "sub" },
      { sources: [`file://${w.dir}/store-link`], sourcePrefix: "two/", target: `${dst}/sub/` },
    ],
    join(w.dir, "cache"),
    2,
  );
});

Deno.test("mirror: a state file an earlier version named from a --target-prefix spelling is taken over", async () => {
  await using w = await tempDir();
  const cacheDir = join(w.dir, "cache");
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a", "d/b.txt": "b" });
  await settle();
  const store = join(w.dir, "store");
  const target = `file://${store}`;
  // The name an earlier version gave `SRC file://STORE --target-prefix two`.
  const old = defaultStatePath(cacheDir, {
    sources: [src],
    target,
    sourcePrefix: "",
    targetPrefix: "two/",
  });
  const first = await mirror({
    sources: [src],
    target,
    targetPrefix: "two",
    statePath: old,
    racyWindowMs: 0,
  });
  assertEquals(first.transferred, 2);

  // Held by a run of the earlier version: refused, not run beside it.
  const held = new MirrorState(old);
  try {
    await refused(() => mirror({ sources: [src], target, targetPrefix: "two", cacheDir }));
  } finally {
    held.close();
  }

  const again = await mirror({
    sources: [src],
    target,
    targetPrefix: "two",
    cacheDir,
    racyWindowMs: 0,
  });
  assertEquals([again.transferred, again.hashed, again.unchanged], [0, 0, 2]);
  const files = await stateFiles(cacheDir);
  // Moved to the name the URI spelling always had (its state files stay valid).
  const usual = defaultStatePath(cacheDir, {
    sources: [src],
    target: `${target}/two`,
    sourcePrefix: "",
    targetPrefix: "",
  });
  assertEquals(files, [usual]);
  const other = await mirror({
    sources: [src],
    target: `${target}/two`,
    cacheDir,
    racyWindowMs: 0,
  });
  assertEquals([other.transferred, other.hashed, other.unchanged], [0, 0, 2]);
});

Deno.test({
  name:
    "vc mirror (processes): a run spelled s3://b/two/ beside a --watch of s3://b --target-prefix two is refused naming its process",
  ignore: Deno.build.os === "windows", // no SIGTERM there
  async fn() {
    await using w = await tempDir();
    await writeTree(join(w.dir, "data"), { "a.txt": "a", "d/b.txt": "b" });
    // Written an hour ago: the watch's first pass takes them, not leaves them
    // as still being written (on a quiet machine it starts within the second).
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of ["a.txt", "d/b.txt"]) {
      await Deno.utime(join(w.dir, "data", f), hourAgo, hourAgo);
    }
    const fake = await startFakeS3({ buckets: ["b"] });
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const env = {
      ...fake.env,
      VC_S3_PATH_STYLE: "1",
      HOME: w.dir,
      VC_CACHE_DIR: join(w.dir, "cache"),
      NO_COLOR: "1",
    };
    const vc = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, cli, "mirror", "data", ...args],
        cwd: w.dir,
        env,
        stdout: "piped",
        stderr: "piped",
      });
    const watch = vc(["s3://b", "--target-prefix", "two", "--watch"]).spawn();
    // The pass lines are on stderr (stdout holds the report).
    let out = "";
    const reading = watch.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (s) => void (out += s) }),
    );
    const stdoutText = new Response(watch.stdout).text();
    try {
      for (let i = 0; i < 600 && !out.includes("initial:"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertStringIncludes(out, "initial:");
      assertEquals(fake.stats.PutObject, 2);
      const second = await vc(["s3://b/two/"]).output();
      const stderr = new TextDecoder().decode(second.stderr);
      assertEquals(second.code, 1, stderr);
      assertStringIncludes(stderr, "another vc mirror is using the state file");
      assertStringIncludes(stderr, `held by process ${watch.pid},`);
      assertEquals(fake.stats.PutObject, 2); // the second uploaded nothing
    } finally {
      watch.kill("SIGTERM");
      const status = await watch.status;
      await reading;
      assert(status.code === 0, `${await stdoutText}\n${out}`);
      await fake.stop();
    }
  },
});
