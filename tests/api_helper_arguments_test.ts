/**
 * The exported helpers of the subpaths refuse an argument of the wrong kind
 * by name, as the classes do. Before, `md5Hex(5)` answered the MD5 of no
 * bytes (a wrong hash, no error), and a number given to `compareVersions`,
 * `parseVersionedKey`, `parsePrefillItem`, `toStoreUri`, `parseManifest`,
 * `manifestLockPath`, `defaultLockFile` or `parsePyJson`, a store without
 * `list` given to `listVersionKeys` / `headVersion` / `listKeys`, or a path
 * given to `fillLock` / `checkLock` in place of the `VersionedCache`, or
 * `null` given to `downloadToFile` as its store, was a
 * bare `TypeError` (`a.split is not a function`, `vc.ls is not a function`);
 * so were a number given to `classifyValue` as the manifest's name or to the
 * `./config` environment helpers, `null` to `formatUri`, `forUserFiles` and
 * `downloadTuning`, and `formatUri` of an object of a caller's own returned
 * `undefined`.
 */
import { InvalidInputError } from "../src/errors.ts";
import {
  downloadToFile,
  formatUri,
  forUserFiles,
  md5Hex,
  multipartEtag,
  toStoreUri,
} from "../src/store/mod.ts";
import { downloadTuning, environmentLocalPath, environmentPathProblem } from "../src/config.ts";
import {
  checkLock,
  classifyValue,
  compareVersions,
  defaultLockFile,
  fillLock,
  headVersion,
  isVersionOf,
  listVersionKeys,
  manifestLockPath,
  parseManifest,
  parseVersionedKey,
  rewriteManifest,
} from "../src/versioned/mod.ts";
import { parsePrefillItem } from "../src/prefill/mod.ts";
import { parsePyJson } from "../src/server/mod.ts";
import { listKeys } from "../src/testing/mod.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";

Deno.test("md5Hex refuses what is neither bytes nor text instead of hashing it as empty", () => {
  assertThrows(
    () => md5Hex(5 as never),
    InvalidInputError,
    "the data to hash must be bytes (a Uint8Array) or a string, got 5",
  );
  assertThrows(() => md5Hex(new ArrayBuffer(3) as never), InvalidInputError, "an ArrayBuffer");
  assertEquals(md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  assertThrows(
    () => multipartEtag("abc" as never),
    InvalidInputError,
    `multipartEtag(): the parts' MD5s must be an array of hex strings, got "abc"`,
  );
});

Deno.test("text helpers name the argument a number was given for", () => {
  const cases: [() => unknown, string][] = [
    [() => compareVersions(1 as never, "1.0.0"), "compareVersions(): the first version"],
    [() => compareVersions("1.0.0", null as never), "compareVersions(): the second version"],
    [() => parseVersionedKey(5 as never), "parseVersionedKey(): the key must be a string, got 5"],
    [() => isVersionOf("a.1.0.0.csv", 5 as never), "isVersionOf(): the path"],
    [() => parsePrefillItem(5 as never), "parsePrefillItem(): the item must be a string, got 5"],
    [() => toStoreUri(5 as never), "toStoreUri(): the location must be a string, got 5"],
    [() => parseManifest(5 as never, "m.json"), "parseManifest(): the manifest's text"],
    [() => manifestLockPath(5 as never), "manifestLockPath(): the manifest"],
    [() => defaultLockFile(null as never), "defaultLockFile(): the manifest"],
    [() => parsePyJson(5 as never), "parsePyJson(): the text must be a string, got 5"],
    // Bare TypeErrors (`path.charCodeAt`, `value.trim`, `env is not a function`, reading
    // `scheme` of null) or, for formatUri of an object of its own, `undefined` as the URI.
    [() => classifyValue("x.csv", 5 as never), "classifyValue(): the manifest's name"],
    [() => environmentPathProblem(5 as never, "VC_X"), "environmentPathProblem(): the value"],
    [() => environmentLocalPath(5 as never), "environmentLocalPath(): the variable's name"],
    [() => environmentLocalPath("VC_X", "x" as never), "environmentLocalPath(): env"],
    [() => formatUri(null as never), "formatUri(): the location must be one parseUri returns"],
    [() => formatUri({ scheme: "http" } as never), "formatUri(): the location must be one"],
    [() => forUserFiles(null as never), "forUserFiles()"],
    [() => downloadTuning(undefined as never), "downloadTuning(): the settings must be an object"],
  ];
  for (const [call, message] of cases) assertThrows(call, InvalidInputError, message);
});

Deno.test("helpers taking a store or a VersionedCache refuse something else by name", async () => {
  const noList = { url: "mem://x" } as unknown as ObjectStore;
  await assertRejects(
    () => listVersionKeys(noList, "/a.csv"),
    InvalidInputError,
    "listVersionKeys(): the store (mem://x) is not an ObjectStore: it has no head()",
  );
  await assertRejects(
    () => headVersion(noList, "/a.csv", "1.0.0"),
    InvalidInputError,
    "headVersion(): the store (mem://x) is not an ObjectStore",
  );
  await assertRejects(() => listKeys(noList, ""), InvalidInputError, "listKeys(): the store");
  // Was `Cannot read properties of null`, and `{}` "joinUri(): the root must be a string".
  await assertRejects(
    () => downloadToFile(null as never, "k", "/tmp/never-written"),
    InvalidInputError,
    "downloadToFile(): the store must be an ObjectStore, got null",
  );
  await assertRejects(
    () => downloadToFile({} as never, "k", "/tmp/never-written"),
    InvalidInputError,
    "downloadToFile(): the store is not an ObjectStore: it has no head(), get()",
  );
  await assertRejects(
    () => fillLock("versioned_assets.json" as never),
    InvalidInputError,
    'fillLock(): the first argument must be a VersionedCache, got "versioned_assets.json"',
  );
  await assertRejects(
    () => checkLock({} as never),
    InvalidInputError,
    "checkLock(): the first argument must be a VersionedCache, got an object",
  );
  await assertRejects(
    () => rewriteManifest("/nonexistent/m.json", "m.json", "add" as never),
    InvalidInputError,
    'rewriteManifest(): the change must be a function, got "add"',
  );
});
