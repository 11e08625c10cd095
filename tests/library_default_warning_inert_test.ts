/**
 * A library caller who gives no `onWarning` gets vc's warnings on stderr.
 * They name keys listed from a bucket and URIs, which anyone who can write
 * to the bucket chooses: a key holding `ESC ] 0 ; … BEL` (set the window
 * title) or `ESC [ 2 J` (clear the screen) acted on the caller's terminal,
 * as the CLI's own lines never let it. The default warning line shows such
 * characters escaped, like every line the CLI prints.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { rawControl } from "./hostile_names.ts";
import { AssetCache, VersionedCache } from "../mod.ts";
import { MemoryStore } from "../src/store/mod.ts";
import { warnOnStderr } from "../src/warning_line.ts";

const HOSTILE = "\x1b]0;PWNED\x07\x1b[2J";

/** What `fn` writes through `console.warn`, one string a call. */
async function warned(fn: () => Promise<void> | void): Promise<string[]> {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return lines;
}

Deno.test("warnOnStderr: control characters of a message are shown escaped", async () => {
  const lines = await warned(() => warnOnStderr(`skipped key a${HOSTILE}b`));
  assertEquals(lines, ["warning: skipped key a\\x1b]0;PWNED\\x07\\x1b[2Jb"]);
});

Deno.test("VersionedCache.versions: a leftover key's terminal escape is not printed raw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "versioned_leftover_escape_" });
  await using store = new MemoryStore();
  const openStore = () => Promise.resolve(store);
  const vc = new VersionedCache({
    manifest: join(dir, "m.json"),
    bucket: "s3://bkt",
    openStore,
    cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, openStore }),
  });
  try {
    await Deno.writeTextFile(join(dir, "g.txt"), "hello");
    await vc.add("/d/g.txt", join(dir, "g.txt"));
    await store.put(`d/g.1.0.0.txt.bak${HOSTILE}`, new TextEncoder().encode("x"));
    let versions: string[] = [];
    const lines = await warned(async () => {
      versions = await vc.versions("/d/g.txt");
    });
    assertEquals(versions, ["1.0.0"]);
    assertEquals(lines.length, 1, lines.join("\n"));
    assert(lines[0]!.includes("g.1.0.0.txt.bak\\x1b]0;PWNED"), lines[0]);
    assertEquals(rawControl(lines.join("\n")), undefined, lines[0]);
  } finally {
    await vc.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AssetCache: a warning naming a key's URI is not printed raw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "asset_cache_warning_escape_" });
  await using store = new MemoryStore();
  const opened = () =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      openStore: () => Promise.resolve(store),
    });
  try {
    const uri = `s3://bkt/a${HOSTILE}.txt`;
    await store.put(`a${HOSTILE}.txt`, new TextEncoder().encode("object"));
    const first = opened();
    const path = await first.cache(uri).finally(() => first.close());
    // The copy changed behind vc's back: the next reader says so and
    // downloads it again.
    await Deno.writeTextFile(path, "edited since");
    await Deno.utime(path, 1, 1);
    const second = opened();
    const lines = await warned(async () => {
      assertEquals(await Deno.readTextFile(await second.cache(uri)), "object");
    }).finally(() => second.close());
    assertEquals(lines.length, 1, lines.join("\n"));
    assert(lines[0]!.includes("a\\x1b]0;PWNED\\x07\\x1b[2J.txt"), lines[0]);
    assertEquals(rawControl(lines.join("\n")), undefined, lines[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
