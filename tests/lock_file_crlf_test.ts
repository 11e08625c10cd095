/**
 * A lock file checked out with CRLF line breaks (git's `core.autocrlf` on
 * Windows) is rewritten with CRLF: adding an entry changes one line in the
 * diff, not every line. The manifest already kept its line breaks.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { readLockFile, updateLockFile } from "../src/versioned/lock_file.ts";

Deno.test("lock file: a CRLF file stays CRLF when an entry is added; a new file is LF", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_lock_crlf_" });
  try {
    const file = join(dir, "versioned_assets.lock.json");
    const sha = (c: string) => c.repeat(64);
    const line = (k: string, c: string) => `  "${k}": {"size": 1, "sha256": "${sha(c)}"}`;
    await Deno.writeTextFile(
      file,
      `{\r\n${line("/a.csv@1.0.0", "a")},\r\n${line("/c.csv@1.0.0", "c")}\r\n}\r\n`,
    );
    await updateLockFile(file, (e) => {
      e["/b.csv@1.0.0"] = { size: 1, sha256: sha("b") };
    });
    const text = await Deno.readTextFile(file);
    assertEquals(
      text,
      `{\r\n${line("/a.csv@1.0.0", "a")},\r\n${line("/b.csv@1.0.0", "b")},\r\n${
        line("/c.csv@1.0.0", "c")
      }\r\n}\r\n`,
    );
    assertEquals(Object.keys((await readLockFile(file))!).length, 3);

    const fresh = join(dir, "new.lock.json");
    await updateLockFile(fresh, (e) => {
      e["/a.csv@1.0.0"] = { size: 1, sha256: sha("a") };
    });
    assert(!(await Deno.readTextFile(fresh)).includes("\r"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
