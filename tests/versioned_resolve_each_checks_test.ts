/**
 * `VersionedCache.resolveEach` (what `vc prefill --manifest` resolves every
 * entry with) builds each entry's key from the manifest as parsed: its paths
 * were checked and normalized by the parse, its versions checked. It checked
 * each path twice more per entry (`normalizeVersionedPath`, for the bucket
 * key and for the lock file's key, the latter with no lock file at all).
 * What it resolves, and what it refuses, is unchanged.
 */
import { assert, assertEquals } from "./assert.ts";
import { FrozenError, VersionedCache } from "../src/versioned/versioned_cache.ts";
import { sha256HexOfString } from "../src/sha256_js.ts";

/** Runs `fn`, counting the calls of `String.prototype.isWellFormed` (one per path check) meanwhile. */
async function pathChecks<T>(fn: () => Promise<T>): Promise<{ checks: number; result: T }> {
  const own = String.prototype.isWellFormed;
  let checks = 0;
  String.prototype.isWellFormed = function (this: string) {
    checks++;
    return own.call(this);
  };
  try {
    const result = await fn();
    return { checks, result };
  } finally {
    String.prototype.isWellFormed = own;
  }
}

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "versioned_resolve_each_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

const N = 20;
const entries = Object.fromEntries(
  Array.from({ length: N }, (_, i) => [`/d/f${String(i).padStart(2, "0")}.csv`, "1.0.0"]),
);

Deno.test("resolveEach checks no manifest path again per entry", async () => {
  await using tmp = await tempDir();
  const manifest = `${tmp.path}/m.json`;
  await Deno.writeTextFile(manifest, JSON.stringify(entries));
  await using vc = new VersionedCache({ manifest, bucket: "s3://assets/pre" });
  await vc.resolveEach(); // the manifest's parse (it checks each path once)
  const { checks, result } = await pathChecks(() => vc.resolveEach());
  assertEquals(checks, 0, `${checks} path checks for ${N} entries`);
  assertEquals(result.length, N);
  const first = result[0]!;
  assert("uri" in first);
  assertEquals(first.uri, "s3://assets/pre/d/f00.1.0.0.csv");
  assertEquals(first.slashedUri, "s3://assets/pre//d/f00.1.0.0.csv");
  assertEquals([first.path, first.version, first.immutable], ["/d/f00.csv", "1.0.0", true]);
});

Deno.test("resolveEach with a lock file: pins, frozen refusals and pre-release keys as before", async () => {
  await using tmp = await tempDir();
  const manifest = `${tmp.path}/m.json`;
  const lock = `${tmp.path}/m.lock.json`;
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ "/a.csv": "1.0.0", "/b.csv": "2.0.0-rc.1", "/c.csv": "1.0.0" }),
  );
  const sha256 = sha256HexOfString("a");
  await Deno.writeTextFile(
    lock,
    JSON.stringify({
      "/a.csv@1.0.0": { size: 1, sha256 },
      "/b.csv@2.0.0-rc.1": { size: 1, sha256 },
    }),
  );
  await using vc = new VersionedCache({ manifest, bucket: "s3://assets", lock, frozen: true });
  const [a, b, c] = await vc.resolveEach();
  assert(a !== undefined && "uri" in a && b !== undefined && "uri" in b);
  assertEquals(a.integrity?.sha256, sha256);
  assertEquals(a.integrity?.label, `/a.csv@1.0.0 (locked in ${lock})`);
  assertEquals(b.uri, "s3://assets/b.2.0.0-rc.1.csv");
  assertEquals(b.integrity?.size, 1);
  assert(c !== undefined && "error" in c && c.error instanceof FrozenError);
  assert(/\/c\.csv@1\.0\.0 has no entry in lock file/.test((c.error as Error).message));
  // Without the lock file, frozen: each versioned entry refused, naming it.
  await Deno.remove(lock);
  const none = await vc.resolveEach();
  assertEquals(none.map((r) => "error" in r && r.error instanceof FrozenError), [true, true, true]);
  assert(/\/a\.csv@1\.0\.0 has no entry in lock file .*, which does not exist,/.test(
    String((none[0] as { error: Error }).error.message),
  ));
});
