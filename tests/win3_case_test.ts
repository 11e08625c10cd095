// Case-insensitive file systems (Windows, macOS' default APFS): two keys that
// differ only in letter case must never share a data file, or a warm hit
// (which checks the record's size against the file, not its bytes) could
// serve one key's bytes for the other. Run on Linux by switching
// `fsPlatform.caseInsensitive` (and, for a cache, the cache directory's name
// probe: `withCaseInsensitiveFs`): this proves the naming logic, not how a
// case-insensitive file system folds names.
import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { encodeKey, encodeSegment } from "../src/cache/layout.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";

/** How a case-insensitive file system compares names (a model: ASCII and simple folding). */
const fold = (name: string) => name.normalize("NFC").toUpperCase();

const PAIRS: [string, string][] = [
  ["A.csv", "a.csv"],
  ["README", "readme"],
  ["Data.CSV", "data.csv"],
  ["É.txt", "é.txt"],
  ["\u212a", "k"], // Kelvin sign: folds to k on NTFS
  ["\u017f", "s"], // long s: upcases to S
  ["e\u0301", "\u00e9"], // one letter, NFD and NFC: one name on macOS
  ["CON", "con"],
];

Deno.test("case-insensitive strategy (logic): names that differ in case never fold together", async () => {
  await withFsPlatform({ caseInsensitive: true }, () => {
    for (const [a, b] of PAIRS) {
      const ea = encodeSegment(a);
      const eb = encodeSegment(b);
      assertNotEquals(fold(ea), fold(eb), `${a} / ${b}: ${ea} / ${eb}`);
      assert(/^[\x20-\x7e]+$/.test(ea + eb), `ASCII only: ${ea} ${eb}`);
    }
    assertEquals(encodeSegment("A.csv"), "%41.csv");
    assertEquals(encodeSegment("a.csv"), "a.csv", "lowercase names stay readable");
    assertEquals(encodeSegment("é"), "%C3%A9");
    assertEquals(encodeKey("Dir/File.csv"), "%44ir/%46ile.csv");
  });
});

Deno.test("case-insensitive strategy (logic): random names stay distinct under folding", async () => {
  await withFsPlatform({ caseInsensitive: true }, () => {
    const alphabet = ["a", "A", "b", "B", "%", "4", "1", "é", "É", ".", "_", "\u212a", "k", "K"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % alphabet.length;
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const length = 1 + (i % 5);
      let name = "";
      for (let j = 0; j < length; j++) name += alphabet[next()];
      const key = fold(encodeSegment(name));
      const other = seen.get(key);
      assert(other === undefined || other === name, `${name} and ${other} share ${key}`);
      seen.set(key, name);
    }
  });
});

Deno.test("case-sensitive (Linux): names keep their case, so existing caches stay readable", async () => {
  await withFsPlatform({ caseInsensitive: false }, () => {
    assertEquals(encodeSegment("A.csv"), "A.csv");
    assertEquals(encodeSegment("é.txt"), "é.txt");
    assertEquals(encodeKey("Dir/File.csv"), "Dir/File.csv");
  });
});

Deno.test("case-insensitive strategy (logic): A.csv and a.csv of one store are two entries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-win3-" });
  try {
    const src = join(dir, "src");
    await Deno.mkdir(src);
    // Same size: a warm hit that checks only the size could not tell them apart.
    await Deno.writeTextFile(join(src, "A.csv"), "UPPER\n");
    await Deno.writeTextFile(join(src, "a.csv"), "lower\n");
    const upper = pathToFileURL(join(src, "A.csv")).href;
    const lower = pathToFileURL(join(src, "a.csv")).href;
    for (const caseInsensitive of [false, true]) {
      const cacheDir = join(dir, `cache-${caseInsensitive}`);
      // The cache asks its directory's file system (`src/name_probe.ts`): a
      // case-insensitive one is simulated by the probe's look-up.
      const fs = caseInsensitive
        ? withCaseInsensitiveFs
        : <T>(fn: () => Promise<T>) => withFsPlatform({ caseInsensitive }, fn);
      await fs(async () => {
        await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, timeout: 0 });
        const pu = await cache.cache(upper);
        const pl = await cache.cache(lower);
        assertEquals(await Deno.readTextFile(pu), "UPPER\n");
        assertEquals(await Deno.readTextFile(pl), "lower\n");
        if (caseInsensitive) {
          assertNotEquals(fold(pu), fold(pl), "two files on a case-insensitive file system");
        } else {
          // The hazard this guards against: on Windows/macOS these would be one file.
          assertEquals(fold(pu), fold(pl));
        }
        // Warm hits serve each key its own bytes.
        assertEquals(await Deno.readTextFile(await cache.cache(upper)), "UPPER\n");
        assertEquals(await Deno.readTextFile(await cache.cache(lower)), "lower\n");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
