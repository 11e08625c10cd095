/**
 * A lock file a formatter laid out (`deno fmt`, prettier: each entry's size
 * and hash on lines of their own, as JSON.stringify's indent writes them) is
 * rewritten in that layout, as the manifest keeps its indentation: `vc add`
 * rewrote every entry back onto one line, a diff of the whole file after
 * each add, and a `deno fmt --check` in CI that failed after every one. The
 * merge driver keeps ours' layout too, and puts its conflict markers around
 * the whole of an entry spread over several lines.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { parseLockFile, updateLockFile } from "../src/versioned/lock_file.ts";
import { mergeVersionedFile } from "../src/versioned/merge.ts";

const sha = (c: string) => c.repeat(64);
const entry = (c: string, size = 1) => ({ size, sha256: sha(c) });
// What `deno fmt` and prettier make of a lock file.
const laidOut = (entries: Record<string, unknown>, indent = "  ", eol = "\n") =>
  JSON.stringify(entries, null, indent).replaceAll("\n", eol) + eol;

Deno.test("lock file: a formatter's layout is kept when an entry is added", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_lock_layout_" });
  try {
    const file = join(dir, "versioned_assets.lock.json");
    await Deno.writeTextFile(
      file,
      laidOut({ "/a.csv@1.0.0": entry("a"), "/c.csv@1.0.0": { ...entry("c"), note: [1, 2] } }),
    );
    await updateLockFile(file, (e) => void (e["/b.csv@1.0.0"] = entry("b", 2)));
    assertEquals(
      await Deno.readTextFile(file),
      laidOut({
        "/a.csv@1.0.0": entry("a"),
        "/b.csv@1.0.0": entry("b", 2),
        "/c.csv@1.0.0": { ...entry("c"), note: [1, 2] },
      }),
    );
    // Four spaces and CRLF (a Windows checkout) alike.
    await Deno.writeTextFile(file, laidOut({ "/a.csv@1.0.0": entry("a") }, "    ", "\r\n"));
    await updateLockFile(file, (e) => void (e["/b.csv@1.0.0"] = entry("b")));
    assertEquals(
      await Deno.readTextFile(file),
      laidOut({ "/a.csv@1.0.0": entry("a"), "/b.csv@1.0.0": entry("b") }, "    ", "\r\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge driver keeps a formatter's lock file layout and marks a whole entry", () => {
  const base = { "/a.csv@1.0.0": entry("a") };
  const ours = { ...base, "/b.csv@1.0.0": entry("b") };
  // Theirs in vc's own layout, one line an entry.
  const theirs = `{\n  "/a.csv@1.0.0": {"size": 1, "sha256": "${sha("a")}"},\n` +
    `  "/c.csv@1.0.0": {"size": 1, "sha256": "${sha("c")}"}\n}\n`;
  const clean = mergeVersionedFile(laidOut(base), laidOut(ours), theirs, "l.lock.json");
  assertEquals(clean.conflicts, []);
  assertEquals(clean.text, laidOut({ ...ours, "/c.csv@1.0.0": entry("c") }));
  // One version locked with two contents: the markers hold each side's whole entry.
  const other = laidOut({ ...base, "/b.csv@1.0.0": entry("d"), "/e.csv@1.0.0": entry("e") });
  const m = mergeVersionedFile(laidOut(base), laidOut(ours), other, "l.lock.json");
  assertEquals(m.conflicts.length, 1);
  const lines = m.text.split("\n");
  const open = lines.findIndex((l) => l.startsWith("<<<<<<<"));
  assertEquals(lines.slice(open + 1, open + 10), [
    '  "/b.csv@1.0.0": {',
    '    "size": 1,',
    `    "sha256": "${sha("b")}"`,
    "  },",
    "=======",
    '  "/b.csv@1.0.0": {',
    '    "size": 1,',
    `    "sha256": "${sha("d")}"`,
    "  },",
  ]);
  // Resolved by keeping ours' side, the file reads as a lock file.
  const kept = m.text.replace(/=======\n[^]*?>>>>>>> theirs\n/, "").replace(/<<<<<<<.*\n/, "");
  assertEquals(Object.keys(parseLockFile(kept, "l.lock.json")), [
    "/a.csv@1.0.0",
    "/b.csv@1.0.0",
    "/e.csv@1.0.0",
  ]);
});
