/**
 * `vc cache rm URI...` and `vc cache invalidate URI...` act on each URI, as
 * `rm a b c` does: before, a second URI was refused as an unexpected
 * argument (exit 2). A URI that fails (here one whose cached copy's
 * directory is a link planted in the cache dir) gets its own line on stderr
 * and exit 1, the others are still done; with `--json` several give an
 * array of the one-URI objects, one URI still its object. (A URI that names
 * no object, `s3://b/`, is a usage error, said before any is touched:
 * cli_cache_bucket_uri_usage_test.ts.)
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

async function withCache(
  fn: (
    dir: string,
    run: (...args: string[]) => Promise<{ code: number; out: string; err: string }>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-rm-several-" });
  try {
    const env = { HOME: dir, VC_CACHE_DIR: `${dir}/cache` };
    const run = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env });
      const code = await runCli(args, io);
      return { code, out: io.stdout(), err: io.stderr() };
    };
    for (const name of ["a", "b"]) {
      await Deno.writeTextFile(`${dir}/${name}.txt`, name);
      assertEquals((await run("cache", "get", `file://${dir}/${name}.txt`)).code, 0);
    }
    await fn(dir, run);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// A cached copy behind a link vc never made (its directory moved and linked
// back): removing it fails. Returns its URI.
async function cacheBehindLink(
  dir: string,
  run: (...args: string[]) => Promise<{ code: number }>,
): Promise<string> {
  await Deno.mkdir(`${dir}/sub`);
  await Deno.writeTextFile(`${dir}/sub/linked.txt`, "linked");
  const uri = `file://${dir}/sub/linked.txt`;
  assertEquals((await run("cache", "get", uri)).code, 0);
  const sub = `${dir}/cache/file${dir}/sub`;
  await Deno.rename(sub, `${dir}/cache/moved`);
  await Deno.symlink(`${dir}/cache/moved`, sub);
  return uri;
}

Deno.test("vc cache rm URI... removes each, a failed one on its own line, exit 1", async () => {
  await withCache(async (dir, run) => {
    const [a, b] = [`file://${dir}/a.txt`, `file://${dir}/b.txt`];
    const linked = await cacheBehindLink(dir, run);
    const r = await run("cache", "rm", a, linked, b);
    assertEquals(r.code, 1, r.err);
    assertEquals(r.out, `removed ${a}\nremoved ${b}\n`);
    assertEquals(r.err.trimEnd().split("\n").length, 1, r.err);
    assert(r.err.includes(linked) && r.err.includes("symbolic link"), r.err);
    assertEquals((await run("cache", "ls", "--json")).out.trim(), "[]");
    // Nothing was removed through the link.
    assertEquals(await Deno.readTextFile(`${dir}/cache/moved/linked.txt`), "linked");
  });
});

Deno.test("vc cache rm --json of several URIs: an array; of one: its object", async () => {
  await withCache(async (dir, run) => {
    const [a, b] = [`file://${dir}/a.txt`, `file://${dir}/b.txt`];
    const linked = await cacheBehindLink(dir, run);
    const several = await run("cache", "rm", a, linked, `file://${dir}/none.txt`, "--json");
    assertEquals(several.code, 1);
    const docs = JSON.parse(several.out);
    assertEquals(docs[0], { uri: a, removed: true });
    assertEquals(docs[1].uri, linked);
    assertEquals(docs[1].errorName, "InvalidInputError");
    assert(docs[1].error.includes("symbolic link"), docs[1].error);
    assertEquals(docs[2], { uri: `file://${dir}/none.txt`, removed: false });
    const one = await run("cache", "rm", b, "--json");
    assertEquals([one.code, JSON.parse(one.out)], [0, { uri: b, removed: true }]);
  });
});

Deno.test("vc cache invalidate URI... invalidates each", async () => {
  await withCache(async (dir, run) => {
    const [a, b] = [`file://${dir}/a.txt`, `file://${dir}/b.txt`];
    const r = await run("cache", "invalidate", a, b, "--json");
    assertEquals(r.code, 0, r.err);
    assertEquals(JSON.parse(r.out), [{ uri: a, invalidated: true }, {
      uri: b,
      invalidated: true,
    }]);
    const ls = JSON.parse((await run("cache", "ls", "--json")).out);
    assertEquals(ls.map((e: { validatedAt: string }) => e.validatedAt), [
      new Date(0).toISOString(),
      new Date(0).toISOString(),
    ]);
  });
});

Deno.test("vc cache rm with a non-URI among several touches none of them (exit 2)", async () => {
  await withCache(async (dir, run) => {
    const a = `file://${dir}/a.txt`;
    const r = await run("cache", "rm", a, "http://x/y");
    assertEquals(r.code, 2, r.err);
    assertEquals(JSON.parse((await run("cache", "ls", "--json")).out).length, 2);
  });
});
