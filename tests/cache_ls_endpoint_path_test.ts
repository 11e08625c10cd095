// Entries fetched through two paths of one gateway (AWS_ENDPOINT_URL
// http://gw/a and http://gw/b) are cached apart, but `ls` named both by
// `host:port` alone: they looked identical, and nothing told which endpoint
// to configure to `vc cache rm` one of them. `ls` names the endpoint with its
// path (`host:port/a`); a namespace whose path vc never recorded (a cache of
// an earlier version) keeps its hash suffix (`host:port~1a2b3c4d`), so two
// such entries still differ.
import assert from "node:assert/strict";
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { runCli } from "../src/cli/main.ts";
import { memoryIo } from "../src/cli/io.ts";

Deno.test("cache ls: entries of two gateway paths on one host name their paths", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  await s3.putObject("b", "k.csv", "a,b\n");
  const gw = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const u = new URL(req.url);
    const m = /^\/(a|b)(\/.*)$/.exec(u.pathname);
    if (m === null) return new Response("no", { status: 404 });
    const r = await fetch(`${s3.url}${m[2]}${u.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc-ls-endpoint-" });
  const cacheDir = join(dir, "cache");
  const hostPort = `127.0.0.1:${gw.addr.port}`;
  const env = (path: string) => ({
    AWS_ENDPOINT_URL: `http://${hostPort}${path}`,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    VC_REQUEST_TIMEOUT: "5",
  });
  try {
    for (const path of ["/a", "/b/"]) {
      const cache = new AssetCache({ cacheDir, configPath: false, env: env(path), warn: () => {} });
      try {
        await cache.cache("s3://b/k.csv");
      } finally {
        await cache.close();
      }
    }
    const cache = new AssetCache({ cacheDir, configPath: false, env: env("/a"), warn: () => {} });
    try {
      const entries = await cache.ls();
      assert.deepEqual(entries.map((e) => e.endpoint).sort(), [`${hostPort}/a`, `${hostPort}/b`]);
      // A cache whose path was never recorded (an earlier version's).
      const ns = (await Array.fromAsync(Deno.readDir(join(cacheDir, ".meta"))))
        .map((e) => e.name).sort();
      for (const name of ns) await Deno.remove(join(cacheDir, ".meta", name, "%endpoint"));
      const old = (await cache.ls()).map((e) => e.endpoint!).sort();
      assert.equal(new Set(old).size, 2, String(old));
      for (const e of old) assert.match(e, new RegExp(`^${hostPort}~[0-9a-f]{8}$`));
    } finally {
      await cache.close();
    }
    // The CLI's table and --json say the same (the path recorded again by a download).
    const cliEnv = { ...env("/b"), HOME: dir, XDG_CONFIG_HOME: join(dir, "cfg") };
    const again = new AssetCache({ cacheDir, configPath: false, env: env("/b"), warn: () => {} });
    try {
      assert.equal(await again.delete("s3://b/k.csv"), true);
      await again.cache("s3://b/k.csv");
    } finally {
      await again.close();
    }
    const json = memoryIo({ env: cliEnv, cwd: dir });
    assert.equal(await runCli(["cache", "ls", "--json", "--cache-dir", cacheDir], json), 0);
    const listed = (JSON.parse(json.stdout()) as { endpoint: string }[]).map((e) => e.endpoint);
    assert.ok(listed.includes(`${hostPort}/b`), String(listed));
    const table = memoryIo({ env: cliEnv, cwd: dir });
    assert.equal(await runCli(["cache", "ls", "--cache-dir", cacheDir], table), 0);
    assert.match(table.stdout(), new RegExp(`${hostPort}/b `));
    // rm through another endpoint: not cached here, but says where it is.
    const other = { ...cliEnv, AWS_ENDPOINT_URL: `http://${hostPort}/c` };
    const rm = memoryIo({ env: other, cwd: dir });
    assert.equal(await runCli(["cache", "rm", "s3://b/k.csv", "--cache-dir", cacheDir], rm), 0);
    assert.match(
      rm.stdout(),
      /was not cached from this endpoint \(it is cached from the endpoint /,
    );
    assert.ok(rm.stdout().includes(`${hostPort}/b`), rm.stdout());
    // The file naming the path is no entry, no orphan, no damage.
    const last = new AssetCache({ cacheDir, configPath: false, env: env("/a"), warn: () => {} });
    try {
      const v = await last.verify();
      assert.equal(v.ok, 2);
      assert.equal(v.orphans, undefined);
      const r = await last.prune({ maxBytes: 0 });
      assert.equal(r.removed.length, 2);
      assert.deepEqual(r.orphans, []);
      assert.deepEqual(await last.ls(), []);
    } finally {
      await last.close();
    }
  } finally {
    await gw.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
