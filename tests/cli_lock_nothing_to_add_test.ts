/**
 * `vc lock` where the entries were locked already (`vc add` and `vc update`
 * lock what they publish, so this is the usual case) printed
 * `locked  /foo/bar.csv  1.0.1` and then `0 added to …lock.json`: the rows
 * read as entries locked by this run. An entry locked before now reads
 * `already locked`, and a run with nothing to add says so plainly, as
 * `vc prefill` says `already cached` and `vc sync` says `unchanged`. Of an
 * empty manifest it says that, on stderr, as `vc lock --check` does.
 * `--json` keeps its statuses (`locked`, `added`).
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc lock says what was locked already and what it added", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  assertEquals((await ws.vc("add", "/b.csv", "b.csv")).code, 0);
  const lockFile = ws.path("versioned_assets.lock.json");

  // Both locked by `vc add`: nothing to add, and no row claims an action.
  const none = await ws.vc("lock");
  assertEquals([none.code, none.stderr], [0, ""]);
  assertEquals(none.stdout.split("\n"), [
    "already locked  /a.csv  1.0.0",
    "already locked  /b.csv  1.0.0",
    `nothing to add: 2 manifest entries already locked in ${lockFile}`,
    "",
  ]);

  // One entry without a lock entry: it is added, the other was locked already.
  const text = await ws.read("versioned_assets.lock.json");
  await ws.write(
    "versioned_assets.lock.json",
    text.split("\n").filter((line) => !line.includes("/b.csv@")).join("\n").replace(
      /,\n\}/,
      "\n}",
    ),
  );
  const one = await ws.vc("lock");
  assertEquals([one.code, one.stderr], [0, ""]);
  assertEquals(one.stdout.split("\n"), [
    "already locked  /a.csv  1.0.0",
    "added           /b.csv  1.0.0",
    `1 added to ${lockFile} (1 already locked)`,
    "",
  ]);

  // --json keeps the statuses it documents.
  const json = await ws.vc("lock", "--json");
  assertEquals(
    json.json<{ entries: { status: string }[] }>().entries.map((e) => e.status),
    ["locked", "locked"],
  );
});

Deno.test("vc lock of an empty manifest says it has no entries, on stderr", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}\n");
  const r = await ws.vc("lock");
  assertEquals(
    [r.code, r.stdout, r.stderr],
    [0, "", `vc: manifest ${ws.path("versioned_assets.json")} has no entries: nothing to lock\n`],
  );
  const quiet = await ws.vc("lock", "--quiet");
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  const json = await ws.vc("lock", "--json");
  assertEquals([json.code, json.stderr], [0, ""]);
  assertEquals(json.json<{ entries: unknown[] }>().entries, []);
});
