/**
 * Repository snapshot lines a test writes by hand, as `vc repo backup`
 * writes them, for the tests of what `vc repo restore` refuses.
 */
import { parseSnapshotLines, type SnapshotRows } from "../src/repo/backup_lines.ts";

/** A snapshot's first line. */
export const SNAPSHOT_HEADER = '{"format":"vc-repo-backup","version":1}';

/** A `record` line of a published `/a.csv` (id 1), `fields` added or replacing. */
export function snapshotRecord(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    record: {
      id: 1,
      path: "/a.csv",
      state: "published",
      content_key: "content/x.csv",
      size: 1,
      md5: "0".repeat(32),
      origin_host: "h",
      created_at: 1,
      published_at: 2,
      ...fields,
    },
  });
}

/** Parses the header and `lines` as the snapshot `b.jsonl.gz` of a repository whose content is under `content/`. */
export function parseSnapshot(...lines: string[]): SnapshotRows {
  return parseSnapshotLines(
    [SNAPSHOT_HEADER, ...lines].join("\n") + "\n",
    "b.jsonl.gz",
    "content/",
  );
}
