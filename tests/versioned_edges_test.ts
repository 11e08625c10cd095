/**
 * Versioned cache edges:
 * - `vc versions PATH` failed outright on a bucket key shaped as a version of
 *   PATH with a part past 2^53 − 1, while `vc ls-remote` skipped such keys
 *   silently. Both now skip it with a warning naming the key and list the
 *   rest (`add` / `update` still refuse: they must order every version).
 * - A lock file entry with fields vc does not know (a newer vc, a hand edit)
 *   lost them when vc rewrote the lock file.
 * - `vc verify` of a locked version that is not cached compares only the
 *   size in the store with the lock entry; it now says so.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { formatLockFile, parseLockFile } from "../src/versioned/lock_file.ts";

const HUGE = "1.0.99999999999999999999";

Deno.test("versions and ls-remote agree on an oversized version key: skipped, named, the rest listed", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/x.csv", "x\n");
  assertEquals((await ws.vc("add", "/demo/x.csv", "src/x.csv")).code, 0);
  const key = `demo/x.${HUGE}.csv`;
  await Deno.writeTextFile(join(ws.bucketDir, key), "planted\n");

  const versions = await ws.vc("versions", "/demo/x.csv");
  assertEquals([versions.code, versions.stdout], [0, "1.0.0\n"]);
  assertStringIncludes(versions.stderr, key);
  const json = await ws.vc("versions", "/demo/x.csv", "--json");
  assertEquals(json.json(), { path: "/demo/x.csv", versions: ["1.0.0"] });
  assertStringIncludes(json.stderr, key);

  const remote = await ws.vc("ls-remote");
  assertEquals(remote.code, 0);
  assertStringIncludes(remote.stdout, "/demo/x.csv");
  assertStringIncludes(remote.stderr, key);

  // update still refuses to guess where the key sorts.
  await ws.write("src/x.csv", "y\n");
  const update = await ws.vc("update", "/demo/x.csv", "src/x.csv", "--patch");
  assertEquals(update.code, 1);
  assertStringIncludes(update.stderr, key);
});

Deno.test("a lock file rewrite keeps the fields of an entry vc does not know", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "src/a.csv")).code, 0);
  const lockPath = join(ws.dir, "versioned_assets.lock.json");
  const entries = JSON.parse(await Deno.readTextFile(lockPath));
  entries["/a.csv@1.0.0"].signedBy = "ann";
  entries["/a.csv@1.0.0"].extra = { md5: "00", list: [1, 2] };
  await Deno.writeTextFile(lockPath, JSON.stringify(entries, null, 2));

  await ws.write("src/b.csv", "b\n");
  assertEquals((await ws.vc("add", "/b.csv", "src/b.csv")).code, 0);
  const after = JSON.parse(await Deno.readTextFile(lockPath));
  assertEquals(after["/a.csv@1.0.0"].signedBy, "ann");
  assertEquals(after["/a.csv@1.0.0"].extra, { md5: "00", list: [1, 2] });
  assert(after["/b.csv@1.0.0"] !== undefined);
  // Still in the layout it was given (each field on its own line, as a formatter lays it out).
  assertEquals(await Deno.readTextFile(lockPath), `${JSON.stringify(after, null, 2)}\n`);
});

Deno.test("formatLockFile writes unknown fields back after size and sha256, one line each", () => {
  const sha = "a".repeat(64);
  const text = `{"/a@1.0.0": {"note": "x", "size": 1, "sha256": "${sha}", "__proto__": 5}}`;
  const parsed = parseLockFile(text, "l.json");
  assertEquals(
    formatLockFile(parsed),
    `{\n  "/a@1.0.0": {"size": 1, "sha256": "${sha}", "note": "x", "__proto__": 5}\n}\n`,
  );
  assertEquals(Object.getPrototypeOf(parsed["/a@1.0.0"]), Object.prototype);
  // A field without a JSON form (undefined, from code) is left out, not written as invalid JSON.
  const made = { "/b@1.0.0": { size: 2, sha256: sha, gone: undefined } };
  assertEquals(formatLockFile(made), `{\n  "/b@1.0.0": {"size": 2, "sha256": "${sha}"}\n}\n`);
});

Deno.test("verify says a locked entry that is not cached was checked by size only", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "src/a.csv")).code, 0);
  await Deno.remove(ws.cacheDir, { recursive: true }).catch(() => {});

  const cold = await ws.vc("verify", "--json");
  assertEquals(cold.code, 0);
  const [row] = cold.json() as Array<Record<string, unknown>>;
  assertEquals([row?.ok, row?.locked, row?.lockChecked], [true, true, "size"]);
  const text = await ws.vc("verify");
  assertStringIncludes(text.stdout, "size only");
  assertStringIncludes(text.stdout, "vc lock --check");

  assertEquals((await ws.vc("path", "/a.csv")).code, 0);
  const warm = await ws.vc("verify", "--json");
  const [hashed] = warm.json() as Array<Record<string, unknown>>;
  assertEquals([hashed?.ok, hashed?.lockChecked], [true, "sha256"]);
});

Deno.test("a comma after the last manifest or lock file entry is named at its line", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write(
    "versioned_assets.json",
    '{\r\n  "/a.csv": "1.0.0",\r\n  "/b.csv": "1.0.0",\r\n}\r\n',
  );
  const ls = await ws.vc("ls");
  assertEquals(ls.code, 1);
  assertStringIncludes(ls.stderr, "versioned_assets.json at line 3, column 20: a comma after");

  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}\n');
  await ws.write(
    "versioned_assets.lock.json",
    `{\n  "/a.csv@1.0.0": {"size": 1, "sha256": "${"0".repeat(64)}",},\n}\n`,
  );
  const verify = await ws.vc("verify");
  assertEquals(verify.code, 1);
  assertStringIncludes(verify.stderr, "versioned_assets.lock.json at line 2, column");
  assertStringIncludes(verify.stderr, "a comma after the last entry");
});

Deno.test("versions of a path with none names its other Unicode spelling that has some", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.csv", "a\n");
  const nfc = "/caf\u00e9.csv", nfd = "/cafe\u0301.csv";
  assertEquals((await ws.vc("add", nfc, "src/a.csv")).code, 0);
  const r = await ws.vc("versions", nfd);
  assertEquals([r.code, r.stdout], [0, ""]);
  assertStringIncludes(r.stderr, '"/caf\\u00e9.csv", which looks the same (Unicode NFC vs NFD)');
  assertStringIncludes(r.stderr, "has 1 version");
});
