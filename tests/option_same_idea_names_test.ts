/**
 * One idea, one spelling across the library's calls, or a refusal that
 * names this call's spelling: every other call takes its warnings as
 * `onWarning`, AssetCache as `warn` (now `onWarning` too); prefill and
 * mirror bound parallel work with `concurrency`, AssetCache with
 * `maxDownloads`; AssetCache's durations are in seconds where the rest of
 * the library's are `…Ms`. A user who wrote the other call's name was told
 * only "unknown option" — or, for `timeoutMs`, "did you mean timeout?",
 * which read as the same value in another spelling took 5000 ms for 5000
 * seconds.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { CacheClient } from "../src/server/mod.ts";
import { checkOptions } from "../src/options_check.ts";

Deno.test("AssetCache takes onWarning, told { message }, as the other calls' onWarning", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc_option_names_" });
  try {
    await Deno.writeTextFile(`${root}/x.txt`, "abc");
    const uri = `file://${root}/x.txt`;
    const make = (o: object) =>
      new AssetCache({ cacheDir: `${root}/cache`, configPath: false, timeout: 0, ...o });
    await using first = make({});
    const path = await first.cache(uri);
    // A same-size edit of the cached copy: downloaded again, with a warning.
    await Deno.chmod(path, 0o644).catch(() => {});
    await Deno.writeTextFile(path, "xyz");
    await Deno.utime(path, 1, 1);
    const warnings: Array<{ message: string }> = [];
    await using second = make({ onWarning: (w: { message: string }) => warnings.push(w) });
    assertEquals(await Deno.readTextFile(await second.cache(uri)), "abc");
    assert(warnings.length > 0, "no warning told");
    assertStringIncludes(warnings[0]!.message, "downloading it again");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("AssetCache refuses warn and onWarning together, and an onWarning that is no function", () => {
  const base = { cacheDir: "/nonexistent/vc-cache", configPath: false as const };
  assertThrows(
    () => new AssetCache({ ...base, warn: () => {}, onWarning: () => {} }),
    InvalidInputError,
    "give warn or onWarning, not both",
  );
  assertThrows(
    () => new AssetCache({ ...base, onWarning: "log" as never }),
    InvalidInputError,
    "the option onWarning must be a function",
  );
});

Deno.test("another call's name for the same idea is refused naming this call's", async () => {
  const base = { cacheDir: "/nonexistent/vc-cache", configPath: false as const };
  assertThrows(
    () => new AssetCache({ ...base, concurrency: 4 } as never),
    InvalidInputError,
    'this call\'s name for it is "maxDownloads"',
  );
  await assertRejects(
    () => prefill({ uris: [], maxDownloads: 4 } as never),
    InvalidInputError,
    'this call\'s name for it is "concurrency"',
  );
  assertThrows(
    () => new AssetCache({ ...base, abortSignal: AbortSignal.abort() } as never),
    InvalidInputError,
    '"abortSignal"',
  );
  assertThrows(
    () => checkOptions("sync()", { warn: () => {} }, { onWarning: true, signal: true }),
    InvalidInputError,
    'this call\'s name for it is "onWarning"',
  );
  assertThrows(
    () => checkOptions("list()", { abortSignal: AbortSignal.abort() }, { signal: true }),
    InvalidInputError,
    'this call\'s name for it is "signal"',
  );
});

Deno.test("a duration option in the other unit is refused saying the unit of this call's", () => {
  const base = { cacheDir: "/nonexistent/vc-cache", configPath: false as const };
  const e = assertThrows(
    () => new AssetCache({ ...base, timeoutMs: 5000 } as never),
    InvalidInputError,
  );
  assertStringIncludes(e.message, 'did you mean "timeout"? (in seconds, not milliseconds)');
  const e2 = assertThrows(
    () => new CacheClient({ url: "http://127.0.0.1:9", token: "t", timeout: 30 } as never),
    InvalidInputError,
  );
  assertStringIncludes(e2.message, 'did you mean "timeoutMs"? (in milliseconds, not seconds)');
});
