/**
 * src/walk.ts beyond its doc examples: S3 key order (non-ASCII, surrogate
 * pairs, `a-b` before `a/`), symlinks skipped or followed without loops,
 * unreadable entries reported, the include filter pruning directories, and
 * nothing written into the walked tree.
 */
import { join } from "node:path";
import { compareUtf8, walkFiles, type WalkOptions } from "../src/walk.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

async function tree(files: Record<string, string>): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "vc-walk-" });
  for (const [key, content] of Object.entries(files)) {
    const path = join(dir, key);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, content);
  }
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

async function keys(root: string, options: WalkOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const f of walkFiles(root, options)) out.push(f.key);
  return out;
}

/** Every path below `dir` with its mtime, for "nothing changed" checks. */
function snapshot(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    const st = Deno.lstatSync(path);
    out.push(`${prefix}${e.name}:${st.mtime?.getTime()}:${st.size}`);
    if (e.isDirectory) out.push(...snapshot(path, `${prefix}${e.name}/`));
  }
  return out.sort();
}

Deno.test("walkFiles: UTF-8 byte order, as S3 lists, including non-ASCII and astral characters", async () => {
  const names = [
    "a-b",
    "a.b",
    "a/x",
    "a0",
    "Z",
    "z",
    "\u00e9t\u00e9", // é: 2 UTF-8 bytes
    "\uFF21", // fullwidth A: U+FF21, above the surrogates in UTF-16
    "\u{1F600}.txt", // emoji: a surrogate pair, but the largest code point here
    "\u4E2D/\u6587",
    "dir/\u{1F600}",
    "dir/\uFFFD",
  ];
  await using t = await tree(Object.fromEntries(names.map((n) => [n, n])));
  const walked = await keys(t.dir);
  const expected = [...names].sort(compareUtf8);
  assertEquals(walked, expected);
  // The orders that differ from plain `<` on JS strings:
  assert(walked.indexOf("\uFF21") < walked.indexOf("\u{1F600}.txt"), "U+FF21 before U+1F600");
  assert(walked.indexOf("dir/\uFFFD") < walked.indexOf("dir/\u{1F600}"));
  assertEquals(walked.slice(0, 5), ["Z", "a-b", "a.b", "a/x", "a0"], "a-b < a.b < a/… < a0");
  // compareUtf8 agrees with a byte-wise comparison of encodings.
  const enc = new TextEncoder();
  const bytewise = (a: string, b: string) => {
    const x = enc.encode(a), y = enc.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  for (const a of names) {
    for (const b of names) assertEquals(Math.sign(compareUtf8(a, b)), Math.sign(bytewise(a, b)));
  }
});

Deno.test("walkFiles: entries carry size, mtime, mode and inode; the tree is left untouched", async () => {
  await using t = await tree({ "one.txt": "1", "sub/two.txt": "22", "sub/deeper/three": "333" });
  const before = snapshot(t.dir);
  const entries = [];
  for await (const e of walkFiles(t.dir)) entries.push(e);
  assertEquals(entries.map((e) => [e.key, e.size]), [
    ["one.txt", 1],
    ["sub/deeper/three", 3],
    ["sub/two.txt", 2],
  ]);
  for (const e of entries) {
    assertEquals(e.path, join(t.dir, e.key));
    assert(e.mtimeMs > 0);
    if (Deno.build.os !== "windows") assert(e.mode !== null && e.ino !== null);
  }
  assertEquals(snapshot(t.dir), before, "no lock, sidecar or state file was written");
});

Deno.test({
  name: "walkFiles: symlinks are skipped by default, followed on request, loops never followed",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using t = await tree({ "real/file.txt": "data", "outside/o.txt": "o" });
    const root = join(t.dir, "real");
    await Deno.symlink(join(root, "file.txt"), join(root, "link.txt"));
    await Deno.symlink(join(t.dir, "outside"), join(root, "linkdir"));
    await Deno.symlink(root, join(root, "loop")); // points back at the root
    await Deno.symlink(join(t.dir, "missing"), join(root, "dangling"));
    assertEquals(await keys(root), ["file.txt"], "default: links are not files");
    const errors: string[] = [];
    const followed = await keys(root, {
      symlinks: "follow",
      onError: (path, error) => errors.push(`${path} ${(error as Error).message}`),
    });
    assertEquals(followed, ["file.txt", "link.txt", "linkdir/o.txt"], "the loop is not entered");
    // Reported as a link to nothing (not as vanished, which a next run would get past), not fatal.
    assertEquals(errors, [
      `${join(root, "dangling")} ${join(root, "dangling")}: a symbolic link to ` +
      `${join(t.dir, "missing")}, which does not exist: not followed (--follow-symlinks); ` +
      `fix or remove the link, or leave it out with --exclude`,
    ]);
  },
});

Deno.test("walkFiles: unreadable entries are reported through onError and the walk goes on", async () => {
  await using t = await tree({ "a.txt": "a", "locked/secret": "s", "z.txt": "z" });
  // A child with no read permission on locked/: a real barrier even for root.
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      script,
      `
      const { walkFiles } = await import(${
        JSON.stringify(new URL("../src/walk.ts", import.meta.url).href)
      });
      const keys = [], errors = [];
      for await (const f of walkFiles(Deno.args[0], { onError: (p) => errors.push(p) })) keys.push(f.key);
      let thrown = "";
      try { for await (const _ of walkFiles(Deno.args[0])) {} } catch (e) { thrown = e.name; }
      console.log(JSON.stringify({ keys, errors, thrown }));
      `,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-lock",
        "--no-prompt",
        `--allow-read=${t.dir},${script},${new URL("../src", import.meta.url).pathname}`,
        `--deny-read=${join(t.dir, "locked")}`,
        script,
        t.dir,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assertEquals(out.code, 0, dec.decode(out.stderr));
    const result = JSON.parse(dec.decode(out.stdout));
    assertEquals(result.keys, ["a.txt", "z.txt"]);
    assertEquals(result.errors.length, 1);
    assert(result.errors[0].startsWith(join(t.dir, "locked")), result.errors[0]);
    assertEquals(result.thrown, "NotCapable", "without onError the error is thrown");
  } finally {
    await Deno.remove(script);
  }
});

Deno.test("walkFiles: include prunes directories (never entered) and filters files", async () => {
  await using t = await tree({
    "keep/a.csv": "a",
    "keep/b.tmp": "b",
    "node_modules/x/y.js": "y",
    "top.csv": "t",
  });
  const asked: string[] = [];
  const walked = await keys(t.dir, {
    include: (key, isDirectory) => {
      asked.push(key);
      return isDirectory ? key !== "node_modules/" : key.endsWith(".csv");
    },
  });
  assertEquals(walked, ["keep/a.csv", "top.csv"]);
  assert(!asked.some((k) => k.startsWith("node_modules/x")), `entered a pruned dir: ${asked}`);
  assert(asked.includes("keep/") && asked.includes("node_modules/"));
});

Deno.test("walkFiles: a missing root or a file root is an error; abort stops the walk", async () => {
  await using t = await tree({ "f": "x", "d/1": "1", "d/2": "2" });
  await assertRejects(() => keys(join(t.dir, "nope")), Deno.errors.NotFound);
  await assertRejects(() => keys(join(t.dir, "f")), Deno.errors.NotADirectory);
  const controller = new AbortController();
  const seen: string[] = [];
  await assertRejects(
    async () => {
      for await (const f of walkFiles(t.dir, { signal: controller.signal })) {
        seen.push(f.key);
        controller.abort(new Error("enough"));
      }
    },
    Error,
    "enough",
  );
  assertEquals(seen, ["d/1"]);
});

Deno.test({
  name: "walk: file names that are not valid UTF-8 are reported and skipped, the rest walked",
  // Linux filesystems take any bytes as a name; macOS and Windows do not.
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // Created by the shell (Deno's own APIs take names as strings): \351 is
      // a Latin-1 é, not UTF-8; the third name is valid UTF-8 with a real U+FFFD.
      const sh = [
        `printf 1 > "$(printf 'n-\\351.txt')"`,
        `printf 2 > "$(printf 'r\\351sum\\351.txt')"`,
        `printf 3 > "$(printf 'n-\\357\\277\\275.txt')"`,
        "printf ok > ok.txt",
      ].join(" && ");
      const made = await new Deno.Command("sh", { args: ["-c", sh], cwd: dir }).output();
      assert(made.success, new TextDecoder().decode(made.stderr));
      const errors: [string, string][] = [];
      const keys: string[] = [];
      for await (
        const e of walkFiles(dir, { onError: (p, e) => errors.push([p, (e as Error).message]) })
      ) keys.push(e.key);
      // The valid name with a real U+FFFD, and ok.txt; the two invalid ones reported.
      assertEquals(keys, ["n-\uFFFD.txt", "ok.txt"]);
      assertEquals(errors.length, 2, JSON.stringify(errors));
      for (const [, message] of errors) assert(message.includes("not valid UTF-8"), message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
