/**
 * Two people add entries on two branches; `git merge` leaves the manifest
 * and the lock file with conflict markers (`<<<<<<< HEAD` … `>>>>>>>`). Every
 * command said only "invalid JSON … Expected property name or '}'". Now each
 * names the merge conflict at its first marker and how to resolve that file,
 * nothing is written, and once resolved `vc lock --check`, `vc sync` and
 * `vc prefill --frozen` work as before.
 */
import { join } from "node:path";
import { ConfigFileError, InvalidInputError } from "../src/errors.ts";
import { loadConfigFile } from "../src/config.ts";
import { parseLockFile } from "../src/versioned/lock_file.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const CONFLICT = "an unresolved merge conflict";
const MANIFEST_HINT = "keep one version of each path";
const LOCK_HINT = "keep the entries of both sides";

/** `text` as git leaves it when both sides replaced the lines `mine` and `theirs`. */
function conflicted(head: string, mine: string, theirs: string, tail: string): string {
  return `${head}<<<<<<< HEAD\n${mine}=======\n${theirs}>>>>>>> feature\n${tail}`;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function added(ws: CliWorkspace, path: string, text: string): Promise<void> {
  const file = await ws.write(`src${path}`, text);
  const r = await ws.vc("add", path, file);
  assertEquals(r.code, 0, r.stderr);
}

Deno.test("a manifest and lock file git left half merged: commands name the conflict, write nothing; resolved, all works", async () => {
  await using ws = await CliWorkspace.create();
  await added(ws, "/a.csv", "a\n");
  await added(ws, "/b.csv", "b\n");
  await added(ws, "/c.csv", "c\n");
  const manifestFile = ws.path("versioned_assets.json");
  const lockFile = ws.path("versioned_assets.lock.json");
  const lockLines = (await ws.read("versioned_assets.lock.json")).split("\n");
  const [lockA, lockB, lockC] = [lockLines[1]!, lockLines[2]!, lockLines[3]!];
  const resolvedLock = await ws.read("versioned_assets.lock.json");
  const resolvedManifest = await ws.read("versioned_assets.json");

  // One branch added /b.csv, the other /c.csv.
  const manifest = conflicted(
    '{\n    "/a.csv": "1.0.0",\n',
    '    "/b.csv": "1.0.0"\n',
    '    "/c.csv": "1.0.0"\n',
    "}\n",
  );
  await Deno.writeTextFile(manifestFile, manifest);
  for (const args of [["ls"], ["path", "/a.csv"], ["lock", "--check"], ["sync", "out"]]) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `manifest ${manifestFile} at line 3, column 1: ${CONFLICT}`);
    assertStringIncludes(r.stderr, MANIFEST_HINT);
  }
  const add = await ws.vc("add", "/d.csv", await ws.write("src/d.csv", "d\n"));
  assertEquals(add.code, 1, add.stderr);
  assertStringIncludes(add.stderr, CONFLICT);
  assertEquals(await ws.read("versioned_assets.json"), manifest);

  // The manifest resolved, the lock file still half merged.
  await Deno.writeTextFile(manifestFile, resolvedManifest);
  const lock = conflicted(`{\n${lockA}\n`, `${lockB}\n`, `${lockC}\n`, "}\n");
  await Deno.writeTextFile(lockFile, lock);
  const sync = await ws.vc("sync", "out");
  assertEquals(sync.code, 1, sync.stderr);
  // Once for the sync, not once per entry (it failed each of them alike).
  assertEquals(occurrences(sync.stderr, CONFLICT), 1, sync.stderr);
  assertStringIncludes(sync.stderr, `lock file ${lockFile} at line 3, column 1: ${CONFLICT}`);
  assertStringIncludes(sync.stderr, LOCK_HINT);
  assert(!(await Deno.stat(ws.path("out")).catch(() => undefined)), "nothing was written");
  for (const args of [["lock", "--check"], ["lock"], ["prefill", "--frozen"]]) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, CONFLICT);
  }
  assertEquals(await ws.read("versioned_assets.lock.json"), lock);

  // Resolved as the hint says: the entries of both sides.
  await Deno.writeTextFile(lockFile, resolvedLock);
  for (const args of [["lock", "--check"], ["sync", "out"], ["prefill", "--frozen"]]) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  }
  assertEquals(await Deno.readTextFile(join(ws.path("out"), "c.csv")), "c\n");
});

Deno.test("a merge conflict is named in every JSON file vc reads, diff3 style and CRLF too", async () => {
  await using ws = await CliWorkspace.create();
  const diff3 = '{\r\n<<<<<<< ours\r\n  "/a.csv": "1.0.1"\r\n||||||| base\r\n' +
    '  "/a.csv": "1.0.0"\r\n=======\r\n  "/a.csv": "1.0.2"\r\n>>>>>>> theirs\r\n}\r\n';
  assertThrows(
    () => parseManifest(diff3, "m.json"),
    InvalidInputError,
    `line 2, column 1: ${CONFLICT}`,
  );
  const lock = conflicted("{\n", '  "/a.csv@1.0.1": {"size": 1, "sha256": "x"}\n', "", "}\n");
  assertThrows(() => parseLockFile(lock, "l.json"), InvalidInputError, LOCK_HINT);
  const settings = await ws.write(
    "vc.json",
    conflicted("{\n", '  "bucket": "a"\n', '  "bucket": "b"\n', "}\n"),
  );
  assertThrows(() => loadConfigFile(settings), ConfigFileError, `line 2, column 1: ${CONFLICT}`);
  // A `<<<<<<<` inside a string is no marker: the real error is named.
  const e = assertThrows(() => parseManifest('{"/a.csv": "<<<<<<< x",}', "m.json"));
  assert(!(e as Error).message.includes(CONFLICT), (e as Error).message);
});
