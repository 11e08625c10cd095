/**
 * A label too long for its line beside the figures (`download` and a long
 * S3 URI, `upload` and a deep path) was cut from its left: its verb went
 * first (`…et/datasets/2026/train/images.tar` on 80 columns), and on a wider
 * terminal what was left of it changed with the figures' width from one
 * redraw to the next (`…ad s3://…`, then `…load s3://…`). Now it keeps its
 * first word, as a step's name does, and the end of the rest (the file's
 * name): `download …/datasets/2026/train/images.tar`.
 */
import { ProgressBar } from "../src/progress.ts";
import { downloadProgress } from "../src/cli/upload_progress.ts";
import { assert, assertEquals } from "./assert.ts";

const LABEL = "download s3://my-team-bucket/datasets/2026/train/images.tar";

for (const columns of [80, 100]) {
  Deno.test(`progress: a long label on ${columns} columns keeps its verb and its end, redraw after redraw`, () => {
    let t = 0;
    const bar = new ProgressBar({ label: LABEL, enabled: false, now: () => t, columns });
    const { onProgress } = downloadProgress(bar);
    const verbs = new Set<string>();
    for (const [bytes, at] of [[100e6, 1000], [300e6, 2000], [1000e6, 9000], [1400e6, 13000]]) {
      t = at!;
      onProgress({ bytes: bytes!, total: 1.5e9 });
      const line = bar.line();
      assert(line.startsWith("download …"), line);
      assert(line.includes("images.tar"), line);
      assert([...line].length <= columns - 1, line);
      verbs.add(line.slice(0, line.indexOf(" ")));
    }
    assertEquals([...verbs], ["download"]);
  });
}

Deno.test("progress: a wait's line keeps a long label's verb too", () => {
  const bar = new ProgressBar({ label: LABEL, enabled: false, columns: 80 });
  bar.wait("waiting for process 7 to finish downloading it");
  const line = bar.line();
  assert(line.startsWith("download …") && line.includes("waiting for process 7"), line);
});
