import { createHash } from "node:crypto";
import { md5File } from "../../src/hash.ts";
import { MiB, writeRandomFile, tempDir, timed } from "./lib.ts";
await using tmp = await tempDir("p5");
const path = `${tmp.path}/d`; const size = 256 * MiB;
await writeRandomFile(path, size);
const mb = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
async function t(label: string, f: () => Promise<unknown> | unknown) { const t0 = performance.now(); await f(); const ms = performance.now() - t0; console.log(label.padEnd(40), ms.toFixed(0), "ms", mb(ms), "MB/s"); }
const syncRead = (chunk: number) => () => { const f = Deno.openSync(path); const b = new Uint8Array(chunk); const h = createHash("md5"); let n; while ((n = f.readSync(b)) !== null) h.update(b.subarray(0, n)); f.close(); return h.digest("hex"); };
for (let rep = 0; rep < 3; rep++) {
  await t("md5sum", () => timed("md5sum", [path]));
  await t("md5File", () => md5File(path));
  for (const c of [1 * MiB, 4 * MiB, 16 * MiB]) await t(`readSync ${c / MiB} MiB + update`, syncRead(c));
  const all = Deno.readFileSync(path);
  await t("update(all 256MiB)", () => createHash("md5").update(all).digest("hex"));
  await t("update 1MiB subarrays of in-mem", () => { const h = createHash("md5"); for (let o = 0; o < size; o += MiB) h.update(all.subarray(o, o + MiB)); h.digest("hex"); });
  await t("webcrypto? n/a; readFileSync only", () => Deno.readFileSync(path));
}
