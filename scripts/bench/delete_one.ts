/**
 * Deleting objects one key at a time: `S3Store.delete([key])` vs a plain
 * `fetch` DELETE of the same keys (unsigned; the fake accepts it), both
 * against the fake server in its own process, 8 requests in flight.
 *
 * Goal: vc's rate ≥ 0.3× the plain DELETE's (it signs every request; through
 * the SDK's DeleteObjects a single key managed 0.13×).
 *
 *     deno run -A scripts/bench/delete_one.ts [--quick]   # 4000 keys; 1000 quick
 *
 * @module
 */
import { forEachLimit } from "../../src/pool.ts";
import { S3Store } from "../../src/store/s3.ts";
import { FakeServer, fmtNum, parseBenchArgs, putObjects, Report } from "./lib.ts";

const BUCKET = "del";
const CONCURRENCY = 8;

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("delete_one");
  const count = args.quick ? 1000 : 4000;
  await using server = await FakeServer.start({ buckets: [BUCKET] });
  const keys = (tag: string) => Array.from({ length: count }, (_, i) => `${tag}/k${i}`);
  const store = new S3Store({
    bucket: BUCKET,
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await store.head("warm-up"); // connections and the SDK loaded before timing
    const rate = async (tag: string, del: (key: string) => Promise<void>) => {
      const list = keys(tag);
      await putObjects(server.url, BUCKET, list, 16);
      const t0 = performance.now();
      await forEachLimit(list, CONCURRENCY, del);
      return count / ((performance.now() - t0) / 1000);
    };
    const plain = await rate("plain", async (key) => {
      const res = await fetch(`${server.url}/${BUCKET}/${key}`, { method: "DELETE" });
      await res.body?.cancel();
      if (res.status !== 204 && res.status !== 200) throw new Error(`DELETE ${key}: ${res.status}`);
    });
    const vc = await rate("vc", (key) => store.delete([key]));
    const left = [];
    for await (const info of store.list("")) left.push(info.key);
    if (left.length !== 0) throw new Error(`${left.length} objects left, e.g. ${left[0]}`);
    report.goal(
      "single-key deletes/s vs plain DELETE",
      vc / plain,
      "×",
      ">=",
      0.3,
      `vc ${fmtNum(vc)}/s, plain fetch DELETE ${
        fmtNum(plain)
      }/s (${count} keys, ${CONCURRENCY} in flight)`,
    );
  } finally {
    await store.close();
  }
  return report;
}

if (import.meta.main) {
  const args = parseBenchArgs(Deno.args);
  const report = await run(args);
  await report.finish(args);
}
