/**
 * `vc serve add-token` rewrites an existing token file in the file's own
 * layout: its indent and its line breaks (CRLF from a Windows editor, four
 * spaces from a formatter or by hand), so the token added is one more line
 * in a diff of the file, not a change of every line.
 */
import { join } from "node:path";
import { addToken } from "../src/server/mod.ts";
import { sha256Hex } from "../src/hash.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test("add-token keeps the token file's indent and CRLF line breaks", async () => {
  await using w = await tempDir();
  const file = join(w.dir, "tokens.json");
  const bob = "a".repeat(64);
  for (
    const [indent, eol] of [["    ", "\r\n"], ["\t", "\n"], ["  ", "\n"]] as const
  ) {
    await Deno.writeTextFile(file, `{${eol}${indent}"${bob}": "bob"${eol}}${eol}`);
    const token = await addToken(file, "carol");
    assertEquals(
      await Deno.readTextFile(file),
      `{${eol}${indent}"${bob}": "bob",${eol}${indent}"${sha256Hex(token)}": "carol"${eol}}${eol}`,
      JSON.stringify([indent, eol]),
    );
  }
});
