/**
 * Counts the S3 requests, by operation, of the versioned cache's publishes
 * (`add`, `update --patch`, an upload taken back because the file changed
 * while it went up, ten adds in one process, with `--big` a 100 MiB
 * multipart `add`) and reads (`versions`, a cold `path`, a cold `path` of a
 * deleted version) on the fake S3, for a bucket without versioning, one
 * with it, and one with it suspended. Prints one line per operation and
 * bucket kind: the total, then each operation's count; `--trace` lists
 * each request (UploadPart left out). `KINDS=versioned` runs one kind.
 * `tests/versioned_publish_request_counts_test.ts` pins the publish counts.
 *
 *   deno run -A scripts/bench/versioned_publish_requests.ts [--big] [--trace]
 */
import { join } from "node:path";
import { type FakeS3, startFakeS3 } from "../../src/testing/mod.ts";
import { VersionedCache } from "../../src/versioned/versioned_cache.ts";
import { AssetCache } from "../../src/cache/asset_cache.ts";

const big = Deno.args.includes("--big");
const trace = Deno.args.includes("--trace");
const kinds = (Deno.env.get("KINDS")?.split(",") ?? ["unversioned", "versioned", "suspended"]) as (
  | "unversioned"
  | "versioned"
  | "suspended"
)[];

function options(s3: FakeS3) {
  return {
    s3: {
      endpoint: s3.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    },
  };
}

function counts(s3: FakeS3): string {
  const { total, faults: _, ...ops } = s3.stats as unknown as Record<string, number>;
  const named = Object.entries(ops).filter(([, n]) => n > 0).map(([op, n]) => `${op}=${n}`);
  return `${String(total).padStart(3)}  ${named.join(" ")}`;
}

for (const kind of kinds) {
  const seen: string[] = [];
  await using s3 = await startFakeS3({
    ...(kind === "unversioned" ? { buckets: ["b"] } : { versionedBuckets: ["b"] }),
    onRequest: (e) => seen.push(`    ${e.op} ${e.method} ${e.path} ${e.status}`),
  });
  if (kind === "suspended") {
    const res = await fetch(`${s3.url}/b?versioning`, {
      method: "PUT",
      body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
    });
    await res.body?.cancel();
  }
  const dir = await Deno.makeTempDir({ prefix: "vc_publish_requests_" });
  try {
    const cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      store: options(s3),
    });
    const vc = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: "s3://b",
      cache,
      store: options(s3),
    });
    const file = join(dir, "a.csv");
    const step = async (name: string, run: () => Promise<unknown>) => {
      s3.resetStats();
      seen.length = 0;
      await run();
      console.log(`${kind.padEnd(11)} ${name.padEnd(22)} ${counts(s3)}`);
      if (trace) console.log(seen.filter((l) => !l.includes("UploadPart ")).join("\n"));
    };
    await Deno.writeTextFile(file, "one\n");
    await step("add small", () => vc.add("/a.csv", file, { onWarning: () => {} }));
    await Deno.writeTextFile(file, "two\n");
    await step("update --patch small", () => vc.update("/a.csv", file, { patch: true }));
    await step("versions", () => vc.versions("/a.csv"));
    await step("path cold", () => vc.path("/a.csv"));
    // The file changed during its upload: the upload is taken back.
    await Deno.writeTextFile(file, "three\n");
    await step("update, file changed", () =>
      vc.update("/a.csv", file, { patch: true }, {
        onProgress: () => Deno.writeTextFileSync(file, "changed!\n"),
      }).then((r) => trace && console.log("   ", r)).catch((e) =>
        trace && console.log(`    (${e.message.slice(0, 150)})`)
      ));
    // A version deleted from the bucket: the error names what is left of it.
    await (await fetch(`${s3.url}/b/a.1.0.0.csv`, { method: "DELETE" })).body?.cancel();
    await step(
      "path cold, deleted",
      () =>
        vc.path("/a.csv", "1.0.0").catch((e) =>
          trace && console.log(`    (${e.message.slice(0, 150)})`)
        ),
    );
    const many = 10;
    await step(`add x${many} (one vc)`, async () => {
      for (let i = 0; i < many; i++) {
        const f = join(dir, `m${i}.csv`);
        await Deno.writeTextFile(f, `m${i}\n`);
        await vc.add(`/m/m${i}.csv`, f, { onWarning: () => {} });
      }
    });
    if (big) {
      const f = join(dir, "big.bin");
      const chunk = new Uint8Array(1 << 20);
      using h = await Deno.open(f, { write: true, create: true });
      for (let i = 0; i < 100; i++) {
        chunk[0] = i;
        await h.write(chunk);
      }
      await step("add 100 MiB", () => vc.add("/big.bin", f, { onWarning: () => {} }));
    }
    await vc.close();
    await cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
