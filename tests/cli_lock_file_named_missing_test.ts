/**
 * A lock file named by `--lock` or `VC_LOCK` that does not exist (a typo, a
 * relative `VC_LOCK` read from another directory: `deno task prefill` run in
 * a subdirectory) was taken for "no lock file": `vc prefill`, `vc path` and
 * the other reading commands downloaded and served every entry unchecked,
 * exit 0, and a frozen run failed each entry with "has no entry in lock
 * file", which sent the reader looking for entries in a file that is not
 * there. A reading command now fails naming the file and where it was given;
 * the commands that write the lock file (`add`, `update`, `lock`) still
 * create it.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";

async function seeded(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "aaaa");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("vc.json", JSON.stringify({ bucket: ws.bucket }));
  return ws;
}

Deno.test("cli prefill: a --lock file that does not exist fails the run, naming it", async () => {
  await using ws = await seeded();
  const r = await ws.run(["prefill", "--lock", "ci/assets.lock.json", "--json"]);
  assertEquals(r.code, 1, r.stdout);
  assertStringIncludes(r.stderr, `lock file ${ws.path("ci/assets.lock.json")} (flag --lock)`);
  assertStringIncludes(r.stderr, "does not exist");
  // Nothing was fetched unchecked.
  const cached = await ws.run(["cache", "ls", "--json"]);
  assertEquals(JSON.parse(cached.stdout), []);
});

Deno.test("cli: a VC_LOCK that does not exist fails path, sync, verify and prefill", async () => {
  await using ws = await seeded();
  const env = { VC_LOCK: "assets.lock.json" };
  for (const args of [["prefill"], ["path", "/a.csv"], ["sync", "out"], ["verify"]]) {
    const r = await ws.run(args, env);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assertStringIncludes(r.stderr, `lock file ${ws.path("assets.lock.json")} (env VC_LOCK)`);
  }
  // The lean `vc path` entry leaves it to the full command, which says so.
  const io = memoryIo({ env: { ...ws.env, ...env }, cwd: ws.dir });
  assertEquals(await hotPath(["path", "/a.csv"], io), undefined);
});

Deno.test("cli: the commands that write the lock file still create a named one", async () => {
  await using ws = await seeded();
  const r = await ws.run(["lock", "--lock", "new.lock.json"]);
  assertEquals(r.code, 0, r.stderr);
  assert((await Deno.stat(ws.path("new.lock.json"))).isFile);
  // Without --lock or VC_LOCK, no lock file is needed.
  const plain = await ws.run(["prefill", "--json"]);
  assertEquals(plain.code, 0, plain.stderr);
});

Deno.test("cli prefill: frozen without the lock file says the file does not exist", async () => {
  await using ws = await seeded();
  const r = await ws.run(["prefill", "--frozen"]);
  assertEquals(r.code, 1, r.stdout);
  assertStringIncludes(
    r.stderr,
    `lock file ${ws.path("versioned_assets.lock.json")}, which does not exist,`,
  );
});
