/**
 * Names from a store or a disk printed by commands that list them (cache
 * prune / verify, library warnings, --verbose traces): a control character
 * in one is shown as an escape, never sent to the terminal.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { formatError } from "../src/cli/errors.ts";

// An OSC that sets the window title, and a CSI that clears the screen.
const HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J";
// deno-lint-ignore no-control-regex
const RAW = /[\x00-\x08\x0b-\x1f\x7f]/;

Deno.test("cache prune and verify print a file planted in the cache dir inert", async () => {
  await using ws = await CliWorkspace.create();
  const src = await ws.write("src/t.txt", "t");
  const got = await ws.run(["cache", "get", `file://${src}`]);
  assert(got.code === 0, got.stderr);
  // A restored CI cache may hold anything beside the entry's copy.
  const local = got.stdout.trim();
  const planted = `${local.slice(0, local.lastIndexOf("/"))}/${HOSTILE}`;
  await Deno.writeTextFile(planted, "x");
  const old = new Date(Date.now() - 2 * 3600_000);
  await Deno.utime(planted, old, old);

  const prune = await ws.run(["cache", "prune", "--max-size", "10GB", "--dry-run"]);
  assert(prune.code === 0, prune.stderr);
  assertStringIncludes(prune.stdout, "evil\\x1b]0;pwned\\x07\\x1b[2J");
  assert(!RAW.test(prune.stdout + prune.stderr), JSON.stringify(prune.stdout));

  // --json keeps the name exact.
  const json = await ws.run(["cache", "prune", "--max-size", "10GB", "--dry-run", "--json"]);
  assertStringIncludes(JSON.stringify(json.json()), JSON.stringify(HOSTILE).slice(1, -1));

  const verify = await ws.run(["cache", "verify"]);
  assertStringIncludes(verify.stdout, "evil\\x1b]0;pwned\\x07");
  assert(!RAW.test(verify.stdout + verify.stderr), JSON.stringify(verify.stdout));
});

Deno.test("warnings, notes and results name keys inert; --json stays exact", async () => {
  const io = memoryIo();
  const out = new Output(io);
  // As the asset cache words it, with the raw key of an s3:// URI.
  out.warn(`vc: the cached copy of s3://b/${HOSTILE} was changed; downloading it again`);
  out.info(`phase for s3://b/${HOSTILE}`);
  await out.data({}, [`removed s3://b/${HOSTILE}`, "second\rline"]);
  await out.status({}, `removed s3://b/${HOSTILE}`);
  assert(!RAW.test(io.stderr()), JSON.stringify(io.stderr()));
  assert(!RAW.test(io.stdout()), JSON.stringify(io.stdout()));
  assertStringIncludes(io.stderr(), "s3://b/evil\\x1b]0;pwned\\x07\\x1b[2J was changed");
  assertStringIncludes(io.stdout(), "second\\rline");

  const json = memoryIo();
  await new Output(json, { mode: "json" }).data({ key: HOSTILE }, HOSTILE);
  assert(JSON.parse(json.stdout()).key === HOSTILE);
});

Deno.test("--verbose prints an error's trace inert, a line per line", () => {
  const text = formatError(new Error(`cannot read s3://b/${HOSTILE}`), { verbose: true });
  assert(!RAW.test(text), JSON.stringify(text));
  assertStringIncludes(text, "evil\\x1b]0;pwned\\x07");
  assert(text.split("\n").length > 3, "the trace keeps its lines");
});

Deno.test("sync, lock --check and ls name a DEST, lock file or manifest path inert", async () => {
  await using ws = await CliWorkspace.create();
  const src = await ws.write("src/a.txt", "a");
  assert((await ws.vc("add", "/a.txt", src)).code === 0);
  // A path typed, pasted or scripted with a control character in it.
  const dir = ws.path(HOSTILE);
  await Deno.mkdir(dir);

  // sync: every entry fails (its object is gone from the bucket).
  await Deno.rename(`${ws.bucketDir}/a.1.0.0.txt`, ws.path("a.kept"));
  const sync = await ws.vc("sync", `${dir}/dest`);
  assert(sync.code === 1, sync.stderr);
  assertStringIncludes(sync.stderr, "copied to ");
  assert(!RAW.test(sync.stderr), JSON.stringify(sync.stderr));

  await Deno.rename(ws.path("a.kept"), `${ws.bucketDir}/a.1.0.0.txt`);

  // lock --check: the lock file pins another size.
  const lock = `${dir}/lock.json`;
  await Deno.writeTextFile(
    lock,
    JSON.stringify({ "/a.txt@1.0.0": { size: 2, sha256: "0".repeat(64) } }),
  );
  const check = await ws.vc("lock", "--check", "--lock", lock);
  assert(check.code === 1, check.stderr);
  assertStringIncludes(check.stderr, "differs from ");
  assert(!RAW.test(check.stderr), JSON.stringify(check.stderr));

  // ls: a hand-edited manifest pins one look twice.
  const manifest = `${dir}/m.json`;
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ "/caf\u00e9": "1.0.0", "/cafe\u0301": "1.0.0" }),
  );
  const ls = await ws.vc("ls", "--manifest", manifest);
  assert(ls.code === 0, ls.stderr);
  assertStringIncludes(ls.stderr, "look the same");
  assert(!RAW.test(ls.stderr), JSON.stringify(ls.stderr));
});

Deno.test("an error naming a file whose name holds a newline keeps the rest of the message", async () => {
  await using ws = await CliWorkspace.create();
  // No such file: the reason comes after the name, past its newline.
  const name = "gone\x1b[31m\nname.csv";
  const add = await ws.vc("add", "/c.csv", name);
  assert(add.code === 1, add.stderr);
  assertStringIncludes(add.stderr, "gone\\x1b[31m\\nname.csv does not exist");
  assert(!RAW.test(add.stderr), JSON.stringify(add.stderr));
  assert(add.stderr.split("\n").length === 2, JSON.stringify(add.stderr));

  const json = await ws.vc("add", "/c.csv", name, "--json");
  assert(json.code === 1, json.stderr);
  const doc = json.json() as { error: { message: string } };
  assertStringIncludes(doc.error.message, "name.csv does not exist");

  // A bug's message is still cut to its first line.
  const bug = formatError(new TypeError("first\nsecond"));
  assert(!bug.includes("second"), JSON.stringify(bug));
});
