/**
 * `vc repo restore FILE` of a snapshot whose bytes changed after vc wrote it
 * (a flipped bit on a disk, a bad copy) was refused by the first line the
 * change made wrong, as that line's problem alone:
 * `FILE: line 2: record has an unknown field "contelt_key"`, which reads as
 * a snapshot of another vc or one edited by hand, not as the damage it is
 * (gzip's checksum, checked only at the stream's end, was never reached).
 * The rest of the stream is now read on for its checksum, and a failing one
 * is said first: the file is damaged, restore another snapshot. A snapshot
 * edited by hand (its gzip whole) is refused by the line alone, as before,
 * and either way nothing is restored.
 *
 * A snapshot cut short at a line's end said `after 1 records`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo restore of a snapshot whose bytes changed says it is damaged, restoring nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_bytes_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const snapshot = join(dir, "s.jsonl.gz");
    await using repo = await Repository.init(uri);
    await repo.add("/a.csv", new TextEncoder().encode("a"));
    await repo.backup(snapshot);
    await repo.add("/b.csv", new TextEncoder().encode("b"));
    const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(snapshot)));
    assertStringIncludes(text, '"content_key"');

    // Stored, not compressed (level 0): the text is in the file as it is,
    // so one byte of it changes under a checksum made before.
    const stored = new Uint8Array(gzipSync(new TextEncoder().encode(text), { level: 0 }));
    const at = new TextDecoder("latin1").decode(stored).indexOf('"content_key"');
    assert(at > 0);
    stored[at + 6] = "l".charCodeAt(0); // "contelt_key"
    const damaged = join(dir, "damaged.jsonl.gz");
    await Deno.writeFile(damaged, stored);
    const error = await assertRejects(
      () => Repository.restore(uri, damaged, { force: true }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, `${damaged} is damaged`);
    assertStringIncludes(error.message, "gzip");
    assertStringIncludes(error.message, 'unknown field "contelt_key"');

    // The same line edited by hand, its gzip whole: the line's problem alone.
    const edited = join(dir, "edited.jsonl.gz");
    await Deno.writeFile(edited, gzipSync(text.replace('"content_key"', '"contelt_key"')));
    const refused = await assertRejects(
      () => Repository.restore(uri, edited, { force: true }),
      InvalidInputError,
    );
    assertStringIncludes(refused.message, 'unknown field "contelt_key"');
    assertEquals(refused.message.includes("is damaged"), false, refused.message);

    // Cut short at a line's end: counted in words that agree.
    const lines = text.split("\n");
    const cut = join(dir, "cut.jsonl.gz");
    await Deno.writeFile(cut, gzipSync(lines.slice(0, 2).join("\n") + "\n"));
    const short = await assertRejects(() => Repository.restore(uri, cut, { force: true }));
    assertStringIncludes((short as Error).message, "after 1 record;");

    // Nothing was restored: both records are there.
    assertEquals((await repo.list()).map((r) => r.path), ["/a.csv", "/b.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
