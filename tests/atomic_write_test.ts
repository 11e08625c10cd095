/**
 * src/atomic_write.ts beyond its doc examples: concurrent writers never mix
 * contents, a failed write leaves no temp file and the old content intact,
 * modes are kept, and a dead writer's temp file is recognised as stale.
 */
import { join } from "node:path";
import {
  AtomicFile,
  copyFileAtomic,
  discardOpenTempFiles,
  isStaleTempFile,
  isTempName,
  tempOwner,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from "../src/atomic_write.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";

const enc = new TextEncoder();
const posix = Deno.build.os !== "windows";

async function tempDir(): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "vc-atomic-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("writeFileAtomic: 20 concurrent writers, the file holds exactly one of their contents", async () => {
  await using t = await tempDir();
  const path = join(t.dir, "shared.txt");
  const contents = Array.from({ length: 20 }, (_, i) => `writer ${i}\n`.repeat(1000 + i * 37));
  await Promise.all(
    contents.map((c, i) =>
      i % 2 === 0 ? writeFileAtomic(path, c) : writeFileAtomic(
        path,
        ReadableStream.from([enc.encode(c.slice(0, 10)), enc.encode(c.slice(10))]),
      )
    ),
  );
  const final = await Deno.readTextFile(path);
  assert(contents.includes(final), "the final content is one writer's whole content");
  assertEquals(names(t.dir), ["shared.txt"], "no temp file is left");
});

Deno.test("writeFileAtomic: a JS stream of chunks under 64 KiB keeps every byte", async () => {
  // Piping such a stream into FsFile.writable with preventClose loses them in Deno 2.9.
  const dir = await Deno.makeTempDir();
  try {
    const chunks = [10, 20, 30, 70_000, 5].map((n, i) => new Uint8Array(n).fill(i + 1));
    await writeFileAtomic(`${dir}/f`, ReadableStream.from(chunks), { durable: false });
    const got = await Deno.readFile(`${dir}/f`);
    assertEquals(got.length, 70_065);
    assertEquals([got[0], got[10], got[30], got[60], got[70_064]], [1, 2, 3, 4, 5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic: a failing stream leaves the old content and no temp file", async () => {
  await using t = await tempDir();
  const path = join(t.dir, "data.bin");
  await writeFileAtomic(path, "old content");
  let pulls = 0;
  const broken = new ReadableStream<Uint8Array>({
    pull(c) {
      if (++pulls > 3) c.error(new Error("source failed"));
      else c.enqueue(new Uint8Array(64 * 1024));
    },
  });
  await assertRejects(() => writeFileAtomic(path, broken), Error, "source failed");
  assertEquals(await Deno.readTextFile(path), "old content");
  assertEquals(names(t.dir), ["data.bin"]);

  // An abort does the same.
  const controller = new AbortController();
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new Uint8Array(1024));
      controller.abort(new Error("stop"));
    },
  });
  await assertRejects(
    () => writeFileAtomic(path, endless, { signal: controller.signal }),
    Error,
    "stop",
  );
  assertEquals(await Deno.readTextFile(path), "old content");
  assertEquals(names(t.dir), ["data.bin"]);
});

Deno.test("writeFileAtomicSync: a failed rename leaves no temp file", async () => {
  await using t = await tempDir();
  await Deno.mkdir(join(t.dir, "taken"));
  await Deno.writeTextFile(join(t.dir, "taken", "x"), "keeps the directory non-empty");
  let failed = false;
  try {
    writeFileAtomicSync(join(t.dir, "taken"), "data"); // a file cannot replace a directory
  } catch {
    failed = true;
  }
  assert(failed, "renaming over a non-empty directory fails");
  assertEquals(names(t.dir), ["taken"]);
});

Deno.test({
  name:
    "copyFileAtomic keeps the source's mode; writeFileAtomic applies the mode despite the umask",
  ignore: !posix, // no POSIX permission bits on Windows
  async fn() {
    await using t = await tempDir();
    const src = join(t.dir, "secret");
    await Deno.writeTextFile(src, "private");
    await Deno.chmod(src, 0o600);
    await copyFileAtomic(src, join(t.dir, "out", "copy"));
    assertEquals((await Deno.stat(join(t.dir, "out", "copy"))).mode! & 0o777, 0o600);
    assertEquals(await Deno.readTextFile(join(t.dir, "out", "copy")), "private");

    await Deno.chmod(src, 0o755);
    await copyFileAtomic(src, join(t.dir, "out", "exec"));
    assertEquals((await Deno.stat(join(t.dir, "out", "exec"))).mode! & 0o777, 0o755);

    // 0o666 would be narrowed by a typical umask (022) if only passed to open().
    await writeFileAtomic(join(t.dir, "wide"), "x", { mode: 0o666 });
    assertEquals((await Deno.stat(join(t.dir, "wide"))).mode! & 0o777, 0o666);
    assertEquals(names(t.dir), ["out", "secret", "wide"]);
    assertEquals(names(join(t.dir, "out")), ["copy", "exec"]);
  },
});

Deno.test("temp names: one scheme, owned by a pid, unique per call", () => {
  const a = tempPathFor("/data/dir/file.csv");
  const b = tempPathFor("/data/dir/file.csv");
  assert(a !== b);
  const name = a.slice("/data/dir/".length);
  assert(name.startsWith(".file.csv.vc-tmp-"), name);
  assert(isTempName(name));
  assertEquals(tempOwner(name), Deno.pid);
  assert(!isTempName("file.csv") && !isTempName(".file.csv") && !isTempName("x.vc-tmp-1-a"));
});

Deno.test({
  name: "writeFileAtomic: a backslash is part of a POSIX file name, not a directory",
  ignore: !posix, // a backslash separates on Windows
  async fn() {
    await using t = await tempDir();
    await Deno.writeTextFile(join(t.dir, "a"), "keep");
    const dest = join(t.dir, "a\\b.csv");
    assert(tempPathFor(dest).startsWith(join(t.dir, ".a\\b.csv.vc-tmp-")));
    await writeFileAtomic(dest, "data");
    assertEquals(await Deno.readTextFile(dest), "data");
    assertEquals(names(t.dir), ["a", "a\\b.csv"]);
  },
});

Deno.test({
  name: "isStaleTempFile: a dead writer's temp file is stale at once, a live one only when old",
  ignore: Deno.build.os !== "linux", // liveness is read from /proc
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "console.log(Deno.pid)"],
      stdout: "piped",
    }).output();
    const deadPid = Number(new TextDecoder().decode(out.stdout).trim());
    assert(deadPid > 0 && deadPid !== Deno.pid);
    const now = Date.now();
    const fresh = new Date(now);
    assertEquals(isStaleTempFile(`.a.vc-tmp-${deadPid}-abcdefgh`, fresh, now), true);
    assertEquals(isStaleTempFile(`.a.vc-tmp-${Deno.pid}-abcdefgh`, fresh, now), false);
    const old = new Date(now - 25 * 3600_000);
    assertEquals(isStaleTempFile(`.a.vc-tmp-${Deno.pid}-abcdefgh`, old, now), true);
    assertEquals(isStaleTempFile("not-a-temp", old, now), false);
  },
});

Deno.test("AtomicFile: commit replaces, discard and discardOpenTempFiles clean up", async () => {
  await using t = await tempDir();
  const dest = join(t.dir, "f");
  await Deno.writeTextFile(dest, "v1");
  const temp = AtomicFile.create(dest);
  await temp.file.write(enc.encode("v2"));
  assertEquals(await Deno.readTextFile(dest), "v1", "readers see the old content until commit");
  await temp.commit();
  assertEquals(await Deno.readTextFile(dest), "v2");

  const dropped = AtomicFile.create(dest);
  await dropped.file.write(enc.encode("never"));
  dropped.discard();
  dropped.discard(); // safe twice
  assertEquals(names(t.dir), ["f"]);

  AtomicFile.create(join(t.dir, "g"));
  AtomicFile.create(join(t.dir, "h"));
  assertEquals(names(t.dir).length, 3);
  assertEquals(discardOpenTempFiles(), 2);
  assertEquals(names(t.dir), ["f"]);

  // commitBy with an install step that fails: the temp file goes away.
  const refused = AtomicFile.create(dest);
  await assertRejects(
    () => refused.commitBy((p) => Deno.link(p, dest)), // dest exists: link refuses
    Deno.errors.AlreadyExists,
  );
  assertEquals(names(t.dir), ["f"]);
  assertEquals(await Deno.readTextFile(dest), "v2");
});

Deno.test("discardOpenTempFiles: a temp file still being created off the main thread is removed too", async () => {
  await using t = await tempDir();
  for (
    const create of [
      () => AtomicFile.createAsync(join(t.dir, "out.txt")),
      () => AtomicFile.openSharedAsync(join(t.dir, "out.txt")),
    ]
  ) {
    const creating = create();
    // Spun without yielding: the open makes the file on an I/O thread, and
    // its handle cannot reach this thread meanwhile (as a Ctrl-C's handler
    // runs between the two).
    let made: string[] = [];
    for (let i = 0; i < 1_000_000 && made.length === 0; i++) made = names(t.dir);
    assertEquals(made.length, 1, "the temp file was made");
    assertEquals(discardOpenTempFiles(), 1);
    assertEquals(names(t.dir), []);
    // The handle that arrived late: its file gone, the create fails as interrupted.
    await assertRejects(() => creating, DOMException, "interrupted");
    assertEquals(names(t.dir), []);
  }
});

Deno.test("discardOpenTempFiles: a temp file whose async create makes it only after the discard is removed when its handle arrives", async () => {
  await using t = await tempDir();
  for (
    const [i, create] of [
      (dest: string) => AtomicFile.createAsync(dest),
      (dest: string) => AtomicFile.openSharedAsync(dest),
    ].entries()
  ) {
    // Its directory missing: the first open fails, and the file is made
    // by the open after the mkdir, which the discard (a Ctrl-C cut short,
    // whose exit waits for its last line to be said) cannot have seen.
    const dir = join(t.dir, `sub${i}`);
    const creating = create(join(dir, "out.txt"));
    discardOpenTempFiles();
    const error = await creating.then(() => undefined, (e) => e);
    // The shared file's create gives up before it makes the directory.
    const left = await Deno.lstat(dir).then(() => names(dir), () => []);
    assertEquals(left, [], "no temp file is left");
    assert(error instanceof DOMException && error.name === "AbortError", String(error));
    assertEquals(discardOpenTempFiles(), 0, "none left to discard either");
  }
});

Deno.test("writeFileAtomic / copyFileAtomic: a FIFO at the destination is refused, not replaced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = join(dir, "fifo");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await Deno.writeTextFile(join(dir, "src"), "data");
    for (
      const write of [
        () => writeFileAtomic(fifo, "data"),
        () => copyFileAtomic(join(dir, "src"), fifo),
      ]
    ) {
      const e = await assertRejects(write, InvalidInputError);
      assert(e.message.includes(`${fifo} is not a regular file`), e.message);
      assert(Deno.lstatSync(fifo).isFifo);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["fifo", "src"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
