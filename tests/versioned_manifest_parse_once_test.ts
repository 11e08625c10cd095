/**
 * A large manifest costs its parse (JSON, then every entry checked), so each
 * versioned command parses it once: `add` and `update` check it before
 * publishing and pin under the manifest's lock from that same parse while
 * the file still holds the same bytes. Counted by wrapping `JSON.parse` and
 * counting calls on a text of the manifest's size (the per-key parses of a
 * style-keeping edit and the lock file are small).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import {
  readManifest,
  readManifestSnapshot,
  rewriteManifest,
  updateManifest,
  withManifestLock,
} from "../src/versioned/manifest.ts";
import { InvalidInputError } from "../src/errors.ts";

const ENTRIES = 3000;

function bigManifest(): string {
  const entries: Record<string, string> = {};
  for (let i = 0; i < ENTRIES; i++) entries[`/data/set${i % 10}/file${i}.csv`] = "1.0.0";
  return JSON.stringify(entries, null, 4) + "\n";
}

/** Runs `fn` counting `JSON.parse` calls on texts of at least `minLength` characters. */
async function countingBigParses(minLength: number, fn: () => Promise<void>): Promise<number> {
  const original = JSON.parse;
  let count = 0;
  JSON.parse =
    ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      if (typeof text === "string" && text.length >= minLength) count++;
      return original(text, reviver);
    }) as typeof JSON.parse;
  try {
    await fn();
  } finally {
    JSON.parse = original;
  }
  return count;
}

Deno.test("each versioned command parses a large manifest once", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  const first = await ws.vc("add", "/a.csv", "a.csv");
  assertEquals(first.code, 0, first.stderr);
  // The big manifest, with /a.csv pinned at the version just published.
  const text = bigManifest().replace("{\n", '{\n    "/a.csv": "1.0.0",\n');
  await ws.write("versioned_assets.json", text);
  await ws.write("b.csv", "b\n");
  await ws.write("a2.csv", "a2\n");
  const commands: string[][] = [
    ["add", "/b.csv", "b.csv"],
    ["update", "/a.csv", "a2.csv", "--patch"],
    ["path", "/a.csv"],
    ["cat", "/a.csv"],
    ["get", "/a.csv", ws.path("out/a.csv")],
    // --json names the version read: from the manifest parsed for the copy.
    ["path", "/a.csv", "--json"],
    ["get", "/a.csv", ws.path("out/a2.csv"), "--json"],
    ["versions", "/a.csv"],
    ["ls"],
    ["path-remote", "/b.csv"],
  ];
  for (const args of commands) {
    let code = -1;
    let stderr = "";
    const parses = await countingBigParses(text.length / 2, async () => {
      ({ code, stderr } = await ws.vc(...args));
    });
    assertEquals(code, 0, `${args.join(" ")}: ${stderr}`);
    // `versions` asks only the bucket: no parse at all.
    assert(parses <= 1, `vc ${args.join(" ")} parsed the manifest ${parses} times`);
  }
  const after = await readManifest(ws.path("versioned_assets.json"));
  assertEquals(Object.keys(after).length, ENTRIES + 2);
  assertEquals(after["/a.csv"], "1.0.1");
  assertEquals(after["/b.csv"], "1.0.0");
});

Deno.test("a rewrite from an earlier snapshot keeps a change made since (re-read, not reused)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_parse_once_" });
  try {
    const file = `${dir}/m.json`;
    await Deno.writeTextFile(file, '{\n    "/a.csv": "1.0.0"\n}\n');
    const snapshot = await readManifestSnapshot(file);
    // Another writer between the command's read and its pin.
    await updateManifest(file, (m) => {
      m["/b.csv"] = "2.0.0";
    });
    await withManifestLock(file, (target) =>
      rewriteManifest(target, file, (m) => {
        m["/c.csv"] = "3.0.0";
      }, snapshot));
    assertEquals(await readManifest(file), {
      "/a.csv": "1.0.0",
      "/b.csv": "2.0.0",
      "/c.csv": "3.0.0",
    });
    // Entries a change adds are checked as the reader checks them, also
    // against the entries reused from the snapshot.
    const now = await readManifestSnapshot(file);
    for (
      const [key, value, message] of [
        ["a.csv", "1.0.1", "both name /a.csv"],
        ["/d.csv", "1.2", "/d.csv"],
        ["/e.csv/", "1.0.0", "ends with /"],
      ] as const
    ) {
      const error = await assertRejects(
        () =>
          withManifestLock(file, (target) =>
            rewriteManifest(target, file, (m) => {
              m[key] = value;
            }, now)),
        InvalidInputError,
      );
      assertStringIncludes(error.message, message);
    }
    assertEquals(Object.keys(await readManifest(file)).length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill --manifest and sync parse a large manifest once", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  // Entries that are all overrides to one local file: nothing to download.
  const entries: Record<string, string> = { "/a.csv": "1.0.0" };
  for (let i = 0; i < 300; i++) entries[`/o/f${i}.csv`] = "./a.csv";
  const text = JSON.stringify(entries, null, 4) + "\n";
  await ws.write("versioned_assets.json", text);
  for (
    const args of [["prefill", "--manifest", "versioned_assets.json"], ["sync", ws.path("out")]]
  ) {
    let code = -1;
    let stderr = "";
    const parses = await countingBigParses(text.length / 2, async () => {
      ({ code, stderr } = await ws.vc(...args));
    });
    assertEquals(code, 0, `${args.join(" ")}: ${stderr}`);
    assertEquals(parses, 1, `vc ${args.join(" ")} parsed the manifest ${parses} times`);
  }
  assert((await Deno.stat(ws.path("out/o/f7.csv"))).isFile);
});
