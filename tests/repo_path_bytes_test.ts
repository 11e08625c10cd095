/**
 * A logical path of up to 1024 characters was accepted, but a PostgreSQL
 * index entry holds at most 2704 bytes: a path of ~1000 CJK characters
 * (3 bytes each in UTF-8) was uploaded, then refused by the database's own
 * "index row size exceeds btree version 4 maximum 2704" (an internal error,
 * its upload left behind), and `tag` on such a path failed the same way.
 * Paths are now limited to 1800 bytes in UTF-8 (and in NFC), on every
 * catalog, before anything is uploaded; a path at the limit works on both.
 * A path over 1024 characters was refused as one with empty or dot segments
 * or control characters, quoted whole: it is now named as too long.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { MAX_PATH_BYTES } from "../src/repo/records.ts";

/** `/` and `chars` CJK characters that compress badly (as a real name would). */
function cjkPath(chars: number): string {
  let s = "/";
  for (let i = 0; i < chars; i++) s += String.fromCharCode(0x4e00 + ((i * 7919) % 20000));
  return s;
}

async function pathBytes(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_path_bytes_" });
  try {
    await using repo = await Repository.init(
      pathToFileURL(join(dir, "repo")).href,
      catalog === undefined ? {} : { catalog },
    );
    const long = cjkPath(1000); // 3001 bytes
    await assertRejects(() => repo.add(long, new Uint8Array([1])), InvalidInputError, "too long");
    await assertRejects(() => repo.tag({ path: long }, ["t"]), InvalidInputError, "too long");
    // Over 1024 characters (in ASCII, within the bytes): named as too long,
    // not as a path with empty or dot segments, and not quoted whole.
    const wide = "/" + "a".repeat(1100);
    for (
      const refused of [
        () => repo.add(wide, new Uint8Array([1])),
        () => repo.tag({ path: wide }, ["t"]),
      ]
    ) {
      const e = await assertRejects(
        refused,
        InvalidInputError,
        "too long: 1101 characters, over the 1024",
      );
      assertEquals(e.message.length < 200, true, e.message);
    }
    const keys: string[] = [];
    for await (const o of repo.store.list(repo.marker.contentPrefix)) keys.push(o.key);
    assertEquals(keys, [], "nothing was uploaded");
    // At the limit, with the longest tag of 4-byte characters: recorded on every catalog.
    const atLimit = cjkPath(Math.floor((MAX_PATH_BYTES - 1) / 3)); // 1798 bytes
    const tag = "\u{1F600}".repeat(200);
    const r = await repo.add(atLimit, new Uint8Array([1]), { tags: [tag] });
    assertEquals(await repo.tag({ path: atLimit }, [tag]), [tag]);
    assertEquals((await repo.get(r.id)).path, atLimit);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: a path over 1800 bytes in UTF-8 is refused before its upload (SQLite)", () =>
  pathBytes(undefined));

Deno.test({
  name: "repo: a path over 1800 bytes in UTF-8 is refused before its upload (PostgreSQL)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await pathBytes(pg.url);
  },
});
