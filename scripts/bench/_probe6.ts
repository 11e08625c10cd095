import { FakeServer, putObjects, tempDir, timed, vcArgs, vcEnv, KiB, syncDisks } from "./lib.ts";
await using tmp = await tempDir("p6");
await using server = await FakeServer.start({ buckets: ["versioned", "plain"] });
const names = Array.from({ length: 1000 }, (_, i) => `f${String(i).padStart(4, "0")}`);
await putObjects(server.url, "versioned", names.map((n) => `bench/${n}.1.0.0.bin`), 4 * KiB);
await putObjects(server.url, "plain", names.map((n) => `data/${n}.bin`), 4 * KiB);
const project = `${tmp.path}/project`; await Deno.mkdir(project);
const manifest = `${project}/m.json`;
await Deno.writeTextFile(manifest, JSON.stringify(Object.fromEntries(names.map((n) => [`/bench/${n}.bin`, "1.0.0"])), null, 4));
const list = `${project}/plain.txt`;
await Deno.writeTextFile(list, names.map((n) => `s3://plain/data/${n}.bin`).join("\n"));
const list2 = `${project}/v.txt`;
await Deno.writeTextFile(list2, names.map((n) => `s3://versioned/bench/${n}.1.0.0.bin`).join("\n"));
for (let i = 0; i < 3; i++) {
  for (const [label, extra] of [["plain list", ["--list", list]], ["manifest", ["--manifest", manifest, "--bucket", "s3://versioned"]], ["versioned keys as list", ["--list", list2]]] as const) {
    await syncDisks();
    const r = await timed(Deno.execPath(), vcArgs("prefill", "--cache-dir", `${tmp.path}/c-${i}-${label.replaceAll(" ", "_")}`, ...extra), { env: vcEnv(server, tmp.path), cwd: project });
    console.log(label.padEnd(25), r.ms.toFixed(0), "ms");
  }
}
