/**
 * A snapshot's record ids were taken up to 2^53 - 1. The catalog hands out
 * the ids after the largest restored: after 9007199254740991 none that a
 * JavaScript number holds exactly (SQLite's driver refuses to read them,
 * PostgreSQL's rounds them), so every later `add` failed, and ids of 16
 * digits were refused by `vc repo get`/`publish` then. A snapshot's ids are
 * now at most 10^14, leaving every id after them 15 digits.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { MAX_RESTORED_ID, parseSnapshotLines } from "../src/repo/backup_lines.ts";
import { parseSnapshot, SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";
import { Repository } from "../src/repo/mod.ts";
import { parseRecordId } from "../src/repo/records.ts";

const record = (id: number) => snapshotRecord({ id });

Deno.test("repo restore: a record id that leaves the catalog no ids after it is refused", async () => {
  for (const id of [Number.MAX_SAFE_INTEGER, 1e15, MAX_RESTORED_ID + 1]) {
    assertThrows(
      () => parseSnapshot(record(id)),
      InvalidInputError,
      `record field id ${id} is over`,
    );
  }
  // At the limit: restored, and the next add gets the next id, which vc repo get takes.
  const dir = await Deno.makeTempDir({ prefix: "vc_id_room_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await (await Repository.init(uri)).close();
    const gz = new Uint8Array(
      await new Response(
        new Blob([`${SNAPSHOT_HEADER}\n${record(MAX_RESTORED_ID)}\n`]).stream()
          .pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    await Deno.writeFile(join(dir, "b.jsonl.gz"), gz);
    await Repository.restore(uri, join(dir, "b.jsonl.gz"));
    await using repo = await Repository.open(uri);
    const added = await repo.add("/b.csv", new Uint8Array([1]));
    assertEquals(added.id, MAX_RESTORED_ID + 1);
    assertEquals((await repo.get(added.id)).path, "/b.csv");
    // As text (the CLI's ids): 15 digits.
    assertEquals(parseRecordId(String(added.id)), added.id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a blank line in a snapshot is refused at that line, not read past", () => {
  const text = `${SNAPSHOT_HEADER}\n${record(1)}\n\n${record(2)}\n`;
  assertThrows(
    () => parseSnapshotLines(text, "b.jsonl.gz", "content/"),
    InvalidInputError,
    "b.jsonl.gz: line 3: is empty",
  );
  // The newline that ends the last line is no blank line.
  assertEquals(parseSnapshot(record(1)).records.length, 1);
});
