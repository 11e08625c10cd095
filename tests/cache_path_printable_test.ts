/**
 * Every path the asset cache hands out prints as itself: a key's C1 control
 * (U+0085, the "next line" some readers break a line at; U+009B, a terminal's
 * one-byte CSI), its bidirectional override (U+202E, which shows
 * `bidi\u202egnp.csv` as `bidivsc.png`), an invisible format character or a
 * line separator is percent-encoded into the file name, as its C0 controls
 * (`\n` → `%0A`) always were. These stood in the name as they were, so
 * `vc cache get` and `vc path` downloaded the object and then refused to
 * print its path ("contains a control character ... use --json"), while the
 * same key with a newline in it printed fine.
 */
import { assert, assertEquals } from "./assert.ts";
import { encodeKey, encodeSegment } from "../src/cache/layout.ts";
import { printable } from "../src/printable.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const UNPRINTABLE = [
  "nel\u0085x.csv",
  "csi\u009b2J.csv",
  "bidi\u202egnp.csv",
  "zero\u200bwidth.csv",
  "line\u2028sep.csv",
  "bom\ufeff.csv",
  "soft\u00adhyphen.csv",
];

Deno.test("cache layout: a segment with a character printable() escapes is encoded, injectively", () => {
  const seen = new Map<string, string>();
  for (const name of UNPRINTABLE) {
    const encoded = encodeSegment(name);
    assertEquals(printable(encoded), encoded, `${JSON.stringify(name)} → ${encoded}`);
    // The key that spells the escape out is another name: its `%` is escaped.
    assert(encodeSegment(encoded) !== encoded, encoded);
    assert(!seen.has(encoded), `${name} and ${seen.get(encoded)} collide`);
    seen.set(encoded, name);
  }
  assertEquals(encodeSegment("nel\u0085x.csv"), "nel%C2%85x.csv");
  assertEquals(encodeSegment("bidi\u202egnp.csv"), "bidi%E2%80%AEgnp.csv");
  // Names that shape visible text keep their characters: a joiner, a variation selector.
  for (const name of ["caf\u00e9.csv", "\u{1F468}\u200d\u{1F469}.png", "\u2764\ufe0f.txt"]) {
    assertEquals(encodeSegment(name), name);
  }
  assertEquals(encodeKey("d/bidi\u202egnp.csv"), "d/bidi%E2%80%AEgnp.csv");
});

Deno.test("vc cache get: a file:// object whose name has a C1 control or a bidi override prints its path", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-cache-printable-" }));
  try {
    const store = join(dir, "store");
    await Deno.mkdir(store);
    for (const name of ["nel\u0085x.csv", "bidi\u202egnp.csv"]) {
      await Deno.writeTextFile(join(store, name), `content of ${name}`);
      const io = memoryIo({ env: { VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" }, cwd: dir });
      const uri = pathToFileURL(join(store, name)).href;
      const code = await runCli(["cache", "get", uri], io);
      assertEquals(io.stderr(), "");
      assertEquals(code, 0);
      const local = io.stdout().trimEnd();
      assertEquals(printable(local), local);
      assert(local.startsWith(join(dir, "cache") + "/"), local);
      assertEquals(await Deno.readTextFile(local), `content of ${name}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
