/**
 * A rewrite by `add` / `update` (and of the lock file by `lock`) is to
 * change exactly the lines of the entries that changed. It dropped a UTF-8
 * byte order mark (an editor that saves with one puts it back: every command
 * and every save churned the first line), and a manifest with one CRLF line among LF lines (one pasted in)
 * came back with every line ending in CRLF.
 */
import { readManifest, updateManifest } from "../src/versioned/manifest.ts";
import { readLockFile, updateLockFile } from "../src/versioned/lock_file.ts";
import { assertEquals } from "./assert.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MARK = [0xef, 0xbb, 0xbf];

async function rewrite(dir: string, name: string, bytes: Uint8Array): Promise<Uint8Array> {
  const file = `${dir}/${name}.json`;
  await Deno.writeFile(file, bytes);
  await updateManifest(file, (m) => {
    m["/a.csv"] = "1.0.1";
    m["/c.csv"] = "2.0.0";
  });
  return await Deno.readFile(file);
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const withMark = (text: string) => new Uint8Array([...MARK, ...utf8(text)]);

Deno.test("a manifest's byte order mark stays through a rewrite", async () => {
  await withTempDir(async (dir) => {
    for (const eol of ["\n", "\r\n"]) {
      const out = await rewrite(
        dir,
        `mark${eol.length}`,
        withMark(`{${eol}  "/a.csv": "1.0.0",${eol}  "/b.csv": "1.0.0"${eol}}${eol}`),
      );
      assertEquals(
        out,
        withMark(
          `{${eol}  "/a.csv": "1.0.1",${eol}  "/b.csv": "1.0.0",${eol}  "/c.csv": "2.0.0"${eol}}${eol}`,
        ),
        JSON.stringify(eol),
      );
    }
    // A file written whole again (all on one line) keeps it too, and reads back.
    const file = `${dir}/oneline.json`;
    assertEquals(
      await rewrite(dir, "oneline", withMark('{"/a.csv": "1.0.0"}\n')),
      withMark('{\n    "/a.csv": "1.0.1",\n    "/c.csv": "2.0.0"\n}\n'),
    );
    assertEquals(await readManifest(file), { "/a.csv": "1.0.1", "/c.csv": "2.0.0" });
    // A file without one does not get one.
    assertEquals(
      await rewrite(dir, "plain", utf8('{\n  "/a.csv": "1.0.0"\n}\n')),
      utf8('{\n  "/a.csv": "1.0.1",\n  "/c.csv": "2.0.0"\n}\n'),
    );
  });
});

Deno.test("a rewrite keeps each line's own line break; new lines take the file's usual one", async () => {
  await withTempDir(async (dir) => {
    // Mostly LF, one CRLF line.
    assertEquals(
      await rewrite(
        dir,
        "mostly_lf",
        utf8('{\n  "/a.csv": "1.0.0",\r\n  "/b.csv": "1.0.0",\n  "/d.csv": "1.0.0"\n}\n'),
      ),
      utf8(
        '{\n  "/a.csv": "1.0.1",\r\n  "/b.csv": "1.0.0",\n  "/c.csv": "2.0.0",\n  "/d.csv": "1.0.0"\n}\n',
      ),
    );
    // Mostly CRLF, one LF line.
    assertEquals(
      await rewrite(
        dir,
        "mostly_crlf",
        utf8('{\r\n  "/a.csv": "1.0.0",\n  "/b.csv": "1.0.0",\r\n  "/d.csv": "1.0.0"\r\n}\r\n'),
      ),
      utf8(
        '{\r\n  "/a.csv": "1.0.1",\n  "/b.csv": "1.0.0",\r\n  "/c.csv": "2.0.0",\r\n  "/d.csv": "1.0.0"\r\n}\r\n',
      ),
    );
  });
});

Deno.test("a lock file's byte order mark stays through vc lock's rewrite", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/m.lock.json`;
    const sha = "a".repeat(64);
    for (const eol of ["\n", "\r\n"]) {
      await Deno.writeFile(
        file,
        withMark(`{${eol}  "/a.csv@1.0.0": {"size": 1, "sha256": "${sha}"}${eol}}${eol}`),
      );
      await updateLockFile(file, (e) => {
        e["/b.csv@1.0.0"] = { size: 2, sha256: sha };
      });
      assertEquals(
        await Deno.readFile(file),
        withMark(
          `{${eol}  "/a.csv@1.0.0": {"size": 1, "sha256": "${sha}"},${eol}` +
            `  "/b.csv@1.0.0": {"size": 2, "sha256": "${sha}"}${eol}}${eol}`,
        ),
        JSON.stringify(eol),
      );
      assertEquals((await readLockFile(file))?.["/b.csv@1.0.0"]?.size, 2);
    }
  });
});
