/**
 * The integrity lock file end to end, as the real `vc` process against an
 * s3:// bucket: on the in-process fake S3 server always, and on a third-party
 * S3 implementation when `VC_TEST_S3_ENDPOINT` is set (`deno task
 * test:compat` points it at moto_server). An object replaced in the bucket
 * behind a locked entry is refused by path, cat, get, sync and prefill with
 * an IntegrityError naming path, version and both hashes, and nothing is
 * cached; `--frozen` refuses unlocked entries and lock changes; concurrent
 * updates keep manifest and lock file consistent.
 */
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startFakeS3 } from "../src/testing/mod.ts";
import { sha256Hex } from "../src/hash.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { freshBucket } from "./s3_test_client.ts";
import { ok, type Run, withWorkspace } from "./cli_process.ts";

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

function client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

function refused(run: Run, what: string, expectSha: string, actualSha: string): void {
  assertEquals(run.code, 1, `${what}: ${run.stderr}`);
  for (const part of ["/data/t.csv@1.0.0", expectSha, actualSha]) {
    assertStringIncludes(run.stderr, part, what);
  }
}

async function lockWorkflow(endpoint: string, bucket: string): Promise<void> {
  await withWorkspace(async (dir, vc) => {
    const env = {
      ...CREDENTIALS,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: endpoint,
      VC_BUCKET: `s3://${bucket}/locked`,
    };
    const run = async (args: string[], extra: Record<string, string> = {}) =>
      ok(await vc(args, { ...env, ...extra }), `vc ${args.join(" ")}`);
    const good = "a,b\n1,2\n";
    await Deno.writeTextFile(join(dir, "t.csv"), good);
    await Deno.writeTextFile(join(dir, "w.bin"), "weights");
    await run(["add", "/data/t.csv", "t.csv"]);
    await run(["add", "/models/w.bin", "w.bin"]);
    // add recorded size and SHA-256 of what it uploaded, sorted, one line each.
    const lockText = await Deno.readTextFile(join(dir, "versioned_assets.lock.json"));
    assertEquals(
      lockText,
      `{\n  "/data/t.csv@1.0.0": {"size": ${good.length}, "sha256": "${sha256Hex(good)}"},\n` +
        `  "/models/w.bin@1.0.0": {"size": 7, "sha256": "${sha256Hex("weights")}"}\n}\n`,
    );
    // The manifest stays exactly what baiji-pod reads.
    assertEquals(
      await Deno.readTextFile(join(dir, "versioned_assets.json")),
      '{\n    "/data/t.csv": "1.0.0",\n    "/models/w.bin": "1.0.0"\n}\n',
    );
    assertStringIncludes((await run(["verify"])).stdout, "ok  locked  /data/t.csv");
    ok(await vc(["lock", "--check"], env), "lock --check");

    // Someone with write access replaces the object behind the locked version.
    const evil = "a,b\n6,6\n"; // same size: only the hash tells
    const s3 = client(endpoint);
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: "locked/data/t.1.0.0.csv", Body: evil }),
      );
    } finally {
      s3.destroy();
    }
    const [expect, actual] = [sha256Hex(good), sha256Hex(evil)];
    // Every reader refuses it, from a cold cache, and caches nothing.
    const cold = (name: string) => ({ VC_CACHE_DIR: join(dir, `cache-${name}`) });
    refused(await vc(["path", "/data/t.csv"], { ...env, ...cold("path") }), "path", expect, actual);
    refused(await vc(["cat", "/data/t.csv"], { ...env, ...cold("cat") }), "cat", expect, actual);
    refused(
      await vc(["get", "/data/t.csv", join(dir, "got.csv")], { ...env, ...cold("get") }),
      "get",
      expect,
      actual,
    );
    refused(
      await vc(["sync", join(dir, "synced")], { ...env, ...cold("sync") }),
      "sync",
      expect,
      actual,
    );
    const prefill = await vc(["prefill"], { ...env, ...cold("prefill") });
    refused(prefill, "prefill", expect, actual);
    for (const name of ["path", "cat", "get", "sync", "prefill"]) {
      const cached = await Array.fromAsync(walk(join(dir, `cache-${name}`)));
      assert(!cached.some((f) => f.endsWith("t.1.0.0.csv")), `${name} cached it: ${cached}`);
    }
    assertEquals(await Deno.stat(join(dir, "got.csv")).catch(() => "absent"), "absent");
    // lock --check reports it; the untouched entry is fine.
    const check = await vc(["lock", "--check", "--json"], env);
    assertEquals(check.code, 1, check.stderr);
    const statuses = (JSON.parse(check.stdout) as Array<{ path: string; status: string }>)
      .map((r) => `${r.path} ${r.status}`);
    assertEquals(statuses, ["/data/t.csv mismatch", "/models/w.bin ok"]);
    // Its problem says the store holds that content, and names no scratch file.
    const problem = (JSON.parse(check.stdout) as Array<{ problem?: string }>)[0]?.problem ?? "";
    assertStringIncludes(problem, "it is what the store holds");
    assert(!problem.includes("vc-lock-check-"), problem);
    assert(check.stderr.includes("vc: 1 of 2 manifest entries differs from "), check.stderr);
    // Without a lock entry the same object is served: the lock is what protects.
    // (A lock file --lock names must exist: one that does not is refused.)
    await Deno.writeTextFile(join(dir, "other.lock.json"), "{}\n");
    const unlocked = await vc(["cat", "/data/t.csv", "--lock", join(dir, "other.lock.json")], env);
    assertEquals([unlocked.code, unlocked.stdout], [0, evil], unlocked.stderr);
  });
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walk(path);
    else yield path;
  }
}

Deno.test("lock workflow on s3:// (fake S3): a replaced object behind a locked entry is refused by every reader", async () => {
  await using s3 = await startFakeS3({ buckets: ["lk"] });
  await lockWorkflow(s3.url, "lk");
});

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
Deno.test({
  name: `lock workflow on s3:// (${
    endpoint ?? "VC_TEST_S3_ENDPOINT unset"
  }): a replaced object behind a locked entry is refused by every reader`,
  ignore: endpoint === undefined,
  async fn() {
    await lockWorkflow(endpoint!, await freshBucket(endpoint!, "vc-lock"));
  },
});

Deno.test("--frozen / VC_FROZEN: unlocked entries and lock changes are refused; vc lock fills the lock", async () => {
  await using s3 = await startFakeS3({ buckets: ["fz"] });
  await withWorkspace(async (dir, vc) => {
    const env = {
      ...CREDENTIALS,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: s3.url,
      VC_BUCKET: "s3://fz",
    };
    // A baiji-pod project: manifest and objects, no lock file.
    await s3.putObject("fz", "a.1.0.0.csv", new TextEncoder().encode("a\n"));
    await s3.putObject("fz", "b.2.0.0.csv", new TextEncoder().encode("b\n"));
    const manifest = '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "2.0.0"\n}';
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), manifest);
    // Without a lock file everything works as before...
    assertEquals((await vc(["cat", "/a.csv"], env)).stdout, "a\n");
    // ...but CI in frozen mode refuses the unlocked entries.
    const frozen = await vc(["cat", "/a.csv", "--frozen"], env);
    assertEquals(frozen.code, 1, frozen.stderr);
    assertStringIncludes(frozen.stderr, "/a.csv@1.0.0 has no entry in lock file");
    const frozenEnv = await vc(["prefill"], { ...env, VC_FROZEN: "1" });
    assertEquals(frozenEnv.code, 1, frozenEnv.stderr);
    assertStringIncludes(frozenEnv.stderr, "frozen");
    // Frozen mode never changes the lock.
    await Deno.writeTextFile(join(dir, "c.csv"), "c\n");
    const add = await vc(["add", "/c.csv", "c.csv"], { ...env, VC_FROZEN: "1" });
    assertEquals(add.code, 1, add.stderr);
    assertEquals((await vc(["lock", "--frozen"], env)).code, 1);
    assertEquals(await Deno.stat(join(dir, "versioned_assets.lock.json")).catch(() => "no"), "no");
    assertEquals(s3.listKeys("fz"), ["a.1.0.0.csv", "b.2.0.0.csv"]);
    // vc lock fills it in; frozen mode is then satisfied; the manifest is untouched.
    const lock = ok(await vc(["lock"], env), "lock");
    assertStringIncludes(lock.stdout, "2 added");
    assertEquals(await Deno.readTextFile(join(dir, "versioned_assets.json")), manifest);
    const ci = await vc(["prefill", "--frozen", "--json"], {
      ...env,
      VC_CACHE_DIR: join(dir, "ci-cache"),
    });
    assertEquals(ci.code, 0, ci.stderr);
    assertEquals(JSON.parse(ci.stdout).fetched, 2);
    assertStringIncludes(ok(await vc(["verify", "--frozen"], env), "verify").stdout, "locked");
    // An override is not locked either: `vc lock --frozen` (CI's "is everything
    // locked?") says so, as frozen prefill does.
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "2.0.0",\n    "/o.csv": "./c.csv"\n}',
    );
    const overridden = await vc(["lock", "--frozen"], env);
    assertEquals(overridden.code, 1, overridden.stderr);
    assertStringIncludes(overridden.stderr, "/o.csv (./c.csv) is an override");
    // A frozen prefill refuses that entry alone: the locked ones are still fetched.
    const partial = await vc(["prefill", "--frozen", "--json"], {
      ...env,
      VC_CACHE_DIR: join(dir, "ci-cache-2"),
    });
    assertEquals(partial.code, 1, partial.stderr);
    const summary = JSON.parse(partial.stdout);
    assertEquals(summary.fetched, 2);
    assertEquals(summary.failed.map((f: { item: string }) => f.item), ["/o.csv"]);
  });
});

Deno.test("concurrent vc update processes keep manifest and lock file consistent", async () => {
  await withWorkspace(async (dir, vc) => {
    const n = 6;
    for (let i = 0; i < n; i++) await Deno.writeTextFile(join(dir, `f${i}`), `v0 ${i}\n`);
    ok(await vc(["add", "/f0.txt", "f0"]), "add f0");
    await Promise.all(
      Array.from({ length: n - 1 }, (_, j) => vc(["add", `/f${j + 1}.txt`, `f${j + 1}`])),
    ).then((runs) => runs.forEach((r, j) => ok(r, `add ${j + 1}`)));
    for (let i = 0; i < n; i++) await Deno.writeTextFile(join(dir, `f${i}`), `v1 ${i}\n`);
    const updates = await Promise.all(
      Array.from({ length: n }, (_, i) => vc(["update", "--patch", `/f${i}.txt`, `f${i}`])),
    );
    updates.forEach((r, i) => ok(r, `update ${i}`));
    const manifest = JSON.parse(
      await Deno.readTextFile(join(dir, "versioned_assets.json")),
    ) as Record<string, string>;
    const lock = JSON.parse(
      await Deno.readTextFile(join(dir, "versioned_assets.lock.json")),
    ) as Record<string, { size: number; sha256: string }>;
    for (let i = 0; i < n; i++) {
      assertEquals(manifest[`/f${i}.txt`], "1.0.1");
      assertEquals(lock[`/f${i}.txt@1.0.0`]?.sha256, sha256Hex(`v0 ${i}\n`));
      assertEquals(lock[`/f${i}.txt@1.0.1`]?.sha256, sha256Hex(`v1 ${i}\n`));
    }
    assertEquals(Object.keys(lock).length, 2 * n);
    // And the lock is still verified end to end.
    ok(await vc(["lock", "--check"]), "lock --check");
  });
});
