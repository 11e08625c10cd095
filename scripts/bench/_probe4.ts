import { FakeServer, MiB, putFile, putFileMultipart, tempDir, writeRandomFile, syncDisks } from "./lib.ts";
import { S3Store } from "../../src/store/s3.ts";
import { downloadToFile } from "../../src/store/download.ts";
await using tmp = await tempDir("p4");
await using server = await FakeServer.start({ dir: `${tmp.path}/server`, buckets: ["big"] });
const size = 256 * MiB;
await writeRandomFile(`${tmp.path}/src`, size);
await putFile(server.url, "big", "s", `${tmp.path}/src`);
await putFileMultipart(server.url, "big", "m", `${tmp.path}/src`, 8 * MiB);
const store = new S3Store({ bucket: "big", endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
async function t(label: string, f: () => Promise<unknown>) {
  await syncDisks();
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  console.log(label.padEnd(50), ms.toFixed(0), "ms", (size / 1e6 / (ms / 1000)).toFixed(0), "MB/s");
}
for (let rep = 0; rep < 2; rep++) {
  await t("raw fetch -> /dev/null (arrayBuffer chunks)", async () => {
    const r = await fetch(`${server.url}/big/s`); const rd = r.body!.getReader(); let n = 0; let c = 0;
    while (true) { const { value, done } = await rd.read(); if (done) break; n += value.length; c++; }
    console.log("  chunks", c, "avg", (n / c).toFixed(0));
  });
  await t("raw fetch -> file write", async () => {
    const r = await fetch(`${server.url}/big/s`); const f = await Deno.open(`${tmp.path}/o`, { write: true, create: true, truncate: true });
    for await (const ch of r.body!) await f.write(ch); f.close(); await Deno.remove(`${tmp.path}/o`);
  });
  for (const B of [256 * 1024, 1 * MiB, 4 * MiB]) await t(`raw fetch -> coalesce ${B} -> file write`, async () => {
    const r = await fetch(`${server.url}/big/s`); const f = await Deno.open(`${tmp.path}/o`, { write: true, create: true, truncate: true });
    const buf = new Uint8Array(B); let fill = 0;
    for await (const ch of r.body!) {
      let off = 0;
      while (off < ch.length) { const n = Math.min(B - fill, ch.length - off); buf.set(ch.subarray(off, off + n), fill); fill += n; off += n; if (fill === B) { let w = 0; while (w < B) w += await f.write(buf.subarray(w, B)); fill = 0; } }
    }
    let w = 0; while (w < fill) w += await f.write(buf.subarray(w, fill));
    f.close(); await Deno.remove(`${tmp.path}/o`);
  });
  await t("raw fetch -> writeSync per chunk", async () => {
    const r = await fetch(`${server.url}/big/s`); const f = await Deno.open(`${tmp.path}/o`, { write: true, create: true, truncate: true });
    for await (const ch of r.body!) { let w = 0; while (w < ch.length) w += f.writeSync(ch.subarray(w)); } f.close(); await Deno.remove(`${tmp.path}/o`);
  });
  await t("raw fetch -> md5 only", async () => {
    const { createHash } = await import("node:crypto"); const h = createHash("md5");
    const r = await fetch(`${server.url}/big/s`);
    for await (const ch of r.body!) h.update(ch); h.digest("hex");
  });
  if (rep >= 0) continue;
  for (const key of ["s", "m"]) {
    for (const [c, thr] of [[1, 1e12], [8, 32 * MiB], [4, 32 * MiB], [16, 32 * MiB]]) {
      await t(`downloadToFile ${key} c=${c} thr=${thr}`, async () => {
        await downloadToFile(store, key, `${tmp.path}/d`, { concurrency: c, parallelThreshold: thr });
        await Deno.remove(`${tmp.path}/d`);
      });
    }
  }
}
await store.close();
