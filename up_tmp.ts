import { readFilePart } from "./src/server/multipart.ts";
import { S3Store } from "./src/store/s3.ts";
import { FakeServer, tempDir, writeRandomFile, timed, MiB, mbps } from "./scripts/bench/lib.ts";
const sizeMib = Number(Deno.args[0] ?? 256);
await using tmp = await tempDir("up");
await using s3 = await FakeServer.start({ dir: `${tmp.path}/s3`, buckets: ["b"] });
const store = new S3Store({ bucket: "b", endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
const src = `${tmp.path}/big.bin`; await writeRandomFile(src, sizeMib * MiB);
let mode = "drain";
let chunks = 0, bytes = 0;
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
  chunks = 0; bytes = 0;
  if (mode === "drain") { for await (const c of req.body!) { chunks++; bytes += c.length; } }
  else {
    const part = await readFilePart(req.body!, req.headers.get("content-type")!);
    if (mode === "parse") { for await (const c of part.body) { chunks++; bytes += c.length; } }
    else await store.put(`k${Math.random()}`, part.body);
  }
  return new Response("ok");
});
const modes = (Deno.args[1] ?? "drain,parse,store,floor").split(",");
for (const m of [...modes, ...modes]) {
  if (m === "floor") {
    const f = await Deno.open(src); const t0 = performance.now(); await store.put(`f${Math.random()}`, f.readable);
    console.log("floor", mbps(sizeMib * MiB, performance.now() - t0).toFixed(0), "MB/s"); continue;
  }
  mode = m;
  const t = await timed("curl", ["-sS", "--fail", "-H", "Expect:", "-F", `file=@${src}`, "-o", "/dev/null", `http://127.0.0.1:${server.addr.port}/`]);
  console.log(m, mbps(sizeMib * MiB, t.ms).toFixed(0), "MB/s", chunks, "chunks", (bytes / Math.max(chunks, 1) / 1024).toFixed(0), "KiB avg");
}
await server.shutdown(); await store.close();
