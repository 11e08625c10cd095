/**
 * Arguments of the wrong type, as plain JavaScript passes them, to the
 * exported file helpers: refused with `InvalidInputError` naming the
 * argument, before anything is written (no manifest emptied, no token file
 * the server then refuses, no lock file left behind).
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../mod.ts";
import {
  formatLockFile,
  formatManifest,
  parseLockFile,
  readLockFile,
  readManifest,
  updateLockFile,
  updateManifest,
  withLockFileWrite,
  withManifestLock,
  writeManifest,
} from "../src/versioned/mod.ts";
import {
  addToken,
  CacheClient,
  cacheId,
  KBaseAuth,
  parsePyJson,
  TokenFileAuth,
  withCache,
} from "../src/server/mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("writeManifest refuses entries that are not an object, keeping the manifest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/m.json`;
    await writeManifest(file, { "/a.csv": "1.0.0" });
    const map = new Map([["/b.csv", "2.0.0"]]);
    for (const entries of [map, 42, true, [], "", new URL("file:///x"), AbortSignal.abort()]) {
      await assertRejects(
        () => writeManifest(file, entries as Any),
        InvalidInputError,
        "manifest entries must be an object",
      );
      assertThrows(() => formatManifest(entries as Any), InvalidInputError, "must be an object");
    }
    await assertRejects(
      () => writeManifest(file, undefined as Any),
      InvalidInputError,
      "undefined",
    );
    assertEquals(await readManifest(file), { "/a.csv": "1.0.0" });
    await assertRejects(
      () => writeManifest(new URL(`file://${dir}/n.json`) as Any, {}),
      InvalidInputError,
      "pass its pathname",
    );
    assertEquals(await names(dir), ["m.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatLockFile and parseLockFile refuse what is not a lock file's entries or text", async () => {
  const sha256 = "a".repeat(64);
  const map = new Map([["/b.csv@1.0.0", { size: 1, sha256 }]]);
  // A Map or an array was formatted as `{}`: written, an emptied lock file.
  for (const entries of [map, [], 42, undefined, null, "x"]) {
    assertThrows(
      () => formatLockFile(entries as Any),
      InvalidInputError,
      "formatLockFile(): the entries must be an object",
    );
  }
  // An entry without its hash was `"sha256": undefined`, text no reader takes.
  for (const entry of [{ size: 1 }, { size: "1", sha256 }, null]) {
    assertThrows(
      () => formatLockFile({ "/a.csv@1.0.0": entry } as Any),
      InvalidInputError,
      'formatLockFile(): entry "/a.csv@1.0.0" must be {"size": BYTES, "sha256": "64 hex digits"}',
    );
  }
  assertThrows(() => formatLockFile({}, 5 as Any), InvalidInputError, "line ending");
  for (const text of [undefined, {}, 42]) {
    assertThrows(
      () => parseLockFile(text as Any, "l.json"),
      InvalidInputError,
      "parseLockFile(): the lock file's text must be a string",
    );
  }
  const text = formatLockFile({ "/a.csv@1.0.0": { size: 1, sha256 } }, "\r\n");
  assertEquals(parseLockFile(text, "l.json"), { "/a.csv@1.0.0": { size: 1, sha256 } });
  // updateLockFile names the file of a bad entry its change made, and writes nothing.
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/l.json`;
    await updateLockFile(file, (e) => void (e["/a.csv@1.0.0"] = { size: 1, sha256 }));
    await assertRejects(
      () => updateLockFile(file, (e) => void (e["/b.csv@1.0.0"] = { size: 2 } as Any)),
      InvalidInputError,
      `lock file ${file}: entry "/b.csv@1.0.0" must be`,
    );
    assertEquals(await readLockFile(file), { "/a.csv@1.0.0": { size: 1, sha256 } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("manifest and lock file updates refuse a change that is not a function before locking", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/m.json`;
    for (const change of [undefined, 42, "x", {}]) {
      const pending = updateManifest(file, change as Any);
      assert(pending instanceof Promise);
      await assertRejects(() => pending, InvalidInputError, "updateManifest(): change must be");
      await assertRejects(
        () => withManifestLock(file, change as Any),
        InvalidInputError,
        "withManifestLock(): fn must be",
      );
      await assertRejects(
        () => withLockFileWrite(file, `${dir}/l.json`, change as Any),
        InvalidInputError,
        "withLockFileWrite(): fn must be",
      );
      await assertRejects(
        () => updateLockFile(`${dir}/l.json`, change as Any),
        InvalidInputError,
        "updateLockFile(): change must be",
      );
    }
    await assertRejects(() => updateManifest(42 as Any, () => {}), InvalidInputError, "got 42");
    assertEquals(await names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("addToken refuses a name that is not a string, leaving the token file readable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/tokens.json`;
    await addToken(file, "alice");
    const before = await Deno.readTextFile(file);
    for (const name of [42, true, -1, undefined, null]) {
      await assertRejects(() => addToken(file, name as Any), InvalidInputError, "identity name");
    }
    assertEquals(await Deno.readTextFile(file), before);
    await assertRejects(
      () => addToken(undefined as Any, "bob"),
      InvalidInputError,
      "addToken(): the token file",
    );
    // The file still loads.
    await new TokenFileAuth({ path: file }).check();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KBaseAuth and TokenFileAuth check their options", () => {
  for (const make of [(o: Any) => new KBaseAuth(o), (o: Any) => new TokenFileAuth(o)]) {
    for (const options of [undefined, null, 42, {}]) {
      assertThrows(() => make(options), InvalidInputError);
    }
  }
  assertThrows(() => new KBaseAuth({ authurl: "http://x" } as Any), InvalidInputError, "authUrl");
  assertThrows(
    () => new KBaseAuth({ authUrl: new URL("http://127.0.0.1/") } as Any),
    InvalidInputError,
    "pass its href",
  );
  assertThrows(() => new TokenFileAuth({ pth: "t.json" } as Any), InvalidInputError, '"path"');
  assertThrows(() => new TokenFileAuth({ path: "" }), InvalidInputError, "option path");
});

Deno.test("CacheClient and withCache refuse wrong arguments before any request", async () => {
  let requests = 0;
  const fetch = (() => {
    requests++;
    return Promise.resolve(new Response("{}", { status: 404 }));
  }) as typeof globalThis.fetch;
  const client = new CacheClient({ url: "http://127.0.0.1:9", token: "t", fetch });
  const dir = await Deno.makeTempDir();
  try {
    const id = "a".repeat(128);
    const bytes = new Uint8Array(1);
    for (const bad of [undefined, null, 42, "", new URL("http://x/"), []]) {
      // get(undefined) was a request for the cache "undefined", answered as a miss.
      await assertRejects(() => client.get(bad as Any), InvalidInputError, "cache ID");
      await assertRejects(() => client.getBytes(bad as Any), InvalidInputError, "cache ID");
      await assertRejects(() => client.rm(bad as Any), InvalidInputError, "cache ID");
      await assertRejects(() => client.put(bad as Any, bytes), InvalidInputError, "cache ID");
      await assertRejects(() => client.put(id, bad as Any), InvalidInputError, "the body");
      await assertRejects(
        () => client.download(id, bad as Any),
        InvalidInputError,
        "the path",
      );
      if (bad !== "") {
        await assertRejects(() => client.id(bad as Any), InvalidInputError, "params");
        await assertRejects(
          () => withCache(bad as Any, () => Promise.resolve(bytes), { client }),
          InvalidInputError,
          "params",
        );
      }
      await assertRejects(
        () => withCache({ k: 1 }, bad as Any, { client }),
        InvalidInputError,
        "compute must be a function",
      );
    }
    await assertRejects(
      () => client.put(id, bytes, { filenme: "x" } as Any),
      InvalidInputError,
      '"filename"',
    );
    await assertRejects(() => client.get(id, { rnage: "bytes=0-1" } as Any), InvalidInputError);
    await assertRejects(
      () => withCache({ k: 1 }, () => Promise.resolve(bytes), undefined as Any),
      InvalidInputError,
      "withCache()",
    );
    await assertRejects(
      () => withCache({ k: 1 }, () => Promise.resolve(bytes), { clint: client } as Any),
      InvalidInputError,
      '"client"',
    );
    await assertRejects(
      () => withCache({ k: 1 }, () => Promise.resolve(bytes), {} as Any),
      InvalidInputError,
      "option client",
    );
    assertEquals(requests, 0);
    assertEquals(await names(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cacheId refuses a body that is not parsed by parsePyJson, and a token ID not a string", () => {
  assertEquals(cacheId("t", parsePyJson('{"a": 1}')).length, 128);
  for (const body of [undefined, 42, { a: 1 }, new Map()]) {
    assertThrows(() => cacheId("t", body as Any), InvalidInputError, "parsePyJson");
  }
  assertThrows(() => cacheId("t", [{ a: 1 }] as Any), InvalidInputError, "parsePyJson");
  assertThrows(() => cacheId(42 as Any, null), InvalidInputError, "token ID");
});
