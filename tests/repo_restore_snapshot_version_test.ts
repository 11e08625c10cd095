/**
 * A snapshot whose header is a vc-repo backup's of a version this vc does not
 * read is said to be one, with its version: a newer vc's (version 3 and on)
 * asks for that vc, any other version value is a damaged header. Before,
 * both were "not a vc-repo backup: its first line is not the header", though
 * the first line was the header. Refused whole either way, as before.
 */
import { assert, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseSnapshotLines } from "../src/repo/backup_lines.ts";

const end = '{"end":{"records":0,"recordTags":0,"pathTags":0}}\n';
const refused = (header: string) =>
  assertThrows(
    () => parseSnapshotLines(`${header}\n${end}`, "b.jsonl.gz", "content/"),
    InvalidInputError,
  ).message;

Deno.test("repo: a snapshot of a version this vc does not read is named by its version", () => {
  const newer = refused('{"format":"vc-repo-backup","version":3}');
  assert(newer.includes("is a vc-repo backup of version 3"), newer);
  assert(newer.includes("newer vc"), newer);
  for (const version of ['"2"', "0", "null", "2.5"]) {
    const damaged = refused(`{"format":"vc-repo-backup","version":${version}}`);
    assert(damaged.includes(`is a vc-repo backup of version ${version}`), damaged);
    assert(damaged.includes("header is damaged"), damaged);
  }
  const none = refused('{"format":"vc-repo-backup"}');
  assert(none.includes("version null"), none);
  // Another file's first line is still no header at all.
  const other = refused('{"format":"something-else","version":2}');
  assert(other.includes("is not a vc-repo backup"), other);
  // The versions it reads are restored.
  for (const version of [1, 2]) {
    const text = `{"format":"vc-repo-backup","version":${version}}\n${version === 2 ? end : ""}`;
    assert(parseSnapshotLines(text, "b", "content/").records.length === 0);
  }
});
