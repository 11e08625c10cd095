// In-process handler over S3Store on an out-of-process fake S3: CPU µs of THIS process per op.
import { createHandler } from "./src/server/handler.ts";
import { S3Store } from "./src/store/s3.ts";
import { addToken, TokenFileAuth } from "./src/server/auth.ts";
import { FakeServer, tempDir } from "./scripts/bench/lib.ts";
await using tmp = await tempDir("hp");
await using s3 = await FakeServer.start({ dir: `${tmp.path}/s3`, buckets: ["b"] });
const store = new S3Store({ bucket: "b", prefix: "cache", endpoint: s3.url, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "t", secretAccessKey: "t" } });
const tokenFile = `${tmp.path}/t.json`;
const token = await addToken(tokenFile, "bench");
const handler = createHandler({ store, auth: new TokenFileAuth({ path: tokenFile }), log: () => {} });
const n = Number(Deno.args[0] ?? 2000), c = 16;
const ids: string[] = [];
const small = (i: number) => new TextEncoder().encode(`result ${i}\n`.repeat(32));
const cpu = () => { const st = Deno.readTextFileSync(`/proc/self/stat`); const f = st.slice(st.lastIndexOf(")") + 2).split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const out: string[] = [];
async function phase(name: string, fn: (i: number) => Promise<void>) {
  let next = 0; const c0 = cpu(); const s0 = (await s3.stats()).total;
  await Promise.all(Array.from({ length: c }, async () => { while (next < n) { const i = next++; await fn(i); } }));
  const s1 = (await s3.stats()).total;
  out.push(`${name} ${((cpu() - c0) / n * 1000).toFixed(0)}µs/op ${((s1 - s0 - 1) / n).toFixed(1)}req`);
}
for (let r = 0; r < 2; r++) {
  out.length = 0;
await phase("id", async (i) => {
  const res = await handler(new Request("http://x/v1/cache_id", { method: "POST", headers: { authorization: token, "content-type": "application/json" }, body: JSON.stringify({ job: "b", i, r }) }));
  ids[i] = (await res.json()).cache_id;
});
await phase("upload", async (i) => {
  const form = new FormData(); form.append("file", new Blob([small(i)]), `r${i}.txt`);
  const res = await handler(new Request(`http://x/v1/cache/${ids[i]}`, { method: "POST", headers: { authorization: token }, body: form }));
  if (!res.ok) throw new Error(await res.text());
  await res.arrayBuffer();
});
await phase("download", async (i) => {
  const res = await handler(new Request(`http://x/v1/cache/${ids[i]}`, { headers: { authorization: token } }));
  await res.arrayBuffer();
});
await phase("delete", async (i) => {
  const res = await handler(new Request(`http://x/v1/cache/${ids[i]}`, { method: "DELETE", headers: { authorization: token } }));
  await res.arrayBuffer();
});
console.log(out.join("  |  "));
}
await store.close();
