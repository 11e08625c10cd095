/**
 * `vc prefill` (and `vc lock`, `vc sync`, `vc verify`) report an item's step
 * (`downloading`, with its bytes) two or three times an item; off a
 * terminal the bar writes a line every 30 s at most, yet every report was
 * joined into a new text (`/big.bin: downloading 45%`, through two object
 * copies) by `withStep` before the bar. The bar now takes the step as it
 * comes and names it only when it makes a line, which must read as before.
 */
import { assert, assertEquals } from "./assert.ts";
import { withStep } from "../src/cli/upload_progress.ts";
import { ProgressBar } from "../src/progress.ts";

type Step = { name: string; bytes: number; total: number };
type Report = {
  done: number;
  total?: number;
  failed?: number;
  bytes?: number;
  current?: string;
  step?: Step | undefined;
};

const REPORTS: Report[][] = [
  [{ done: 0, total: 4 }, { done: 0, total: 4, current: "s3://b/a" }],
  [{
    done: 0,
    total: 4,
    bytes: 50,
    current: "s3://b/a",
    step: { name: "downloading", bytes: 50, total: 200 },
  }],
  [
    {
      done: 0,
      total: 4,
      bytes: 50,
      current: "s3://b/a",
      step: { name: "downloading", bytes: 50, total: 200 },
    },
    { done: 1, total: 4, bytes: 200, current: "s3://b/next", step: undefined },
  ],
  [
    { done: 1, total: 4, current: "s3://b/a", step: { name: "checking", bytes: 1, total: 3 } },
    { done: 1, total: 4, failed: 1 },
  ],
  [{ done: 2, total: 4, step: { name: "downloading", bytes: 0, total: 0 } }],
  // Not the last item: that one's step gives the bar its rate and ETA,
  // which a joined text cannot (progress_last_item_step_eta_test.ts).
  [{
    done: 2,
    total: 4,
    bytes: 9_000_000,
    current: "s3://a-bucket-with-a-long-name/and/a/very/long/key/under/many/prefixes/big-file.bin",
    step: { name: "downloading", bytes: 4_500_000, total: 9_000_000 },
  }],
];

Deno.test("a step handed to the bar reads as withStep's joined text did, at any width", () => {
  for (const reports of REPORTS) {
    for (const columns of [20, 40, 60, 80, 200]) {
      const now = () => 5_000;
      const given = new ProgressBar({
        enabled: false,
        label: "prefill",
        columns,
        now,
        write: () => {},
      });
      const joined = new ProgressBar({
        enabled: false,
        label: "prefill",
        columns,
        now,
        write: () => {},
      });
      for (const r of reports) {
        given.onItems(r);
        joined.onItems(withStep(r as Report & { step?: Step }));
      }
      assertEquals(given.line(), joined.line(), JSON.stringify({ reports, columns }));
    }
  }
});

Deno.test("the bar names an item's step only when it makes a line, not at every report", () => {
  let reads = 0;
  const step = (bytes: number): Step => ({
    get name() {
      reads++;
      return "downloading";
    },
    bytes,
    total: 200,
  });
  let out = "";
  let t = 0;
  const bar = new ProgressBar({
    enabled: false,
    label: "prefill",
    logIntervalMs: 30_000,
    now: () => t,
    write: (s) => (out += s),
  });
  try {
    for (let i = 0; i < 100; i++) {
      t = i;
      bar.onItems({ done: i, total: 1000, current: `s3://b/k${i}`, step: step(i) });
    }
    assertEquals(reads, 0, "the step was named at a report that wrote no line");
    assertEquals(out, "");
    t = 30_000;
    bar.onItems({ done: 100, total: 1000, current: "s3://b/k100", step: step(90) });
    assert(out.includes("s3://b/k100: downloading 45%"), out);
  } finally {
    bar.done();
  }
});
