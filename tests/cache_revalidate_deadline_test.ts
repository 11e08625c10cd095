/**
 * A revalidation of a cached copy has a short deadline of its own
 * (`revalidateTimeout`, `VC_REVALIDATE_TIMEOUT`): a store that accepts
 * connections and never answers (a train's dead Wi-Fi) serves the stale
 * copy, with a warning naming the URI and its age, once the deadline passes,
 * not after every attempt's request timeout (5 × 60 s by default); so does
 * one that answers the HEAD of a changed object and never its GET, and
 * `ls({ checkRemote })` says REMOTE is unknown as soon. A download with no
 * copy to serve keeps the store's timeouts and retries.
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError, OfflineError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { rawServer, readHead, silentServer, within } from "./raw_server.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { testS3Options } from "./versioned_helpers.ts";

/** A free port: the cache files entries by endpoint, so the silent server takes over the fake's. */
function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return port;
}

Deno.test("revalidation against a store that never answers: the stale copy is served at the deadline, with its age", async () => {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-deadline-" });
  const clock = new ManualClock(Date.UTC(2026, 0, 10));
  // Each attempt would wait 20 s, five times: the deadline must cut that short.
  const make = (endpoint: string, warn: (m: string) => void, more = {}) =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 3600,
      clock,
      warn,
      revalidateTimeout: 0.3,
      store: testS3Options({ url: endpoint }, { maxAttempts: 5, requestTimeoutMs: 20_000 }),
      ...more,
    });
  try {
    let endpoint: string;
    let path: string;
    {
      await using fake = await startFakeS3({ port, buckets: ["b"] });
      endpoint = fake.url;
      await fake.putObject("b", "k.csv", "a,b\n");
      await using warm = make(endpoint, () => {});
      path = await warm.cache("s3://b/k.csv");
    }
    await clock.advance(3 * 3600_000); // three hours: stale
    await using _silent = silentServer(port);
    const warnings: string[] = [];
    {
      await using stale = make(endpoint, (m) => warnings.push(m));
      const started = performance.now();
      // Far below one request timeout (20 s), let alone five.
      assertEquals(await within(10_000, stale.cache("s3://b/k.csv")), path);
      assert(performance.now() - started < 10_000);
    }
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "s3://b/k.csv");
    assertStringIncludes(warnings[0]!, path);
    assertStringIncludes(warnings[0]!, "validated 3 h ago");
    assertStringIncludes(warnings[0]!, `no answer from endpoint ${endpoint} within 0.3 s`);
    assertStringIncludes(warnings[0]!, "VC_REVALIDATE_TIMEOUT");
    // `ls --check-remote` asks the same store with the same wait: REMOTE unknown.
    {
      await using lister = make(endpoint, () => {});
      const [entry] = await within(10_000, lister.ls({ checkRemote: true }));
      assertEquals(entry?.outdated, undefined);
      assertStringIncludes(entry?.remoteError ?? "", "within 0.3 s");
    }
    // With onUnreachable: "fail" nothing would be served: the store's own
    // request timeout and retries decide (here 2 × 1 s), not the deadline.
    await using failing = make(endpoint, () => {}, {
      onUnreachable: "fail",
      store: testS3Options({ url: endpoint }, { maxAttempts: 2, requestTimeoutMs: 1000 }),
    });
    const error = await within(
      10_000,
      assertRejects(() => failing.cache("s3://b/k.csv"), OfflineError),
    );
    assertStringIncludes(error.message, "timed out after 1 s");
    assertStringIncludes(error.message, "2 attempts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a changed object whose download never starts: the stale copy is served at the deadline, nothing left behind", async () => {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-deadline-" });
  const endpoint = `http://127.0.0.1:${port}`;
  const warnings: string[] = [];
  const make = () =>
    new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      warn: (m) => warnings.push(m),
      revalidateTimeout: 0.3,
      store: testS3Options({ url: endpoint }, { maxAttempts: 5, requestTimeoutMs: 20_000 }),
    });
  try {
    let path: string;
    {
      await using fake = await startFakeS3({ port, buckets: ["b"] });
      await fake.putObject("b", "k.csv", "a,b\n");
      await using warm = make();
      path = await warm.cache("s3://b/k.csv");
    }
    // The HEAD says a new version (another ETag); its GET is never answered.
    const requests: string[] = [];
    await using _server = rawServer(async (conn) => {
      for (let i = 0; i < 100; i++) {
        const head = await readHead(conn);
        if (head === "") return;
        requests.push(head.slice(0, head.indexOf(" ")));
        if (head.startsWith("GET")) return; // stalls: the connection stays open
        await conn.write(
          new TextEncoder().encode(
            'HTTP/1.1 200 OK\r\nContent-Length: 8\r\nETag: "5d41402abc4b2a76b9719d911017c592"\r\n\r\n',
          ),
        );
      }
    }, port);
    {
      await using stale = make();
      assertEquals(await within(10_000, stale.cache("s3://b/k.csv")), path);
    }
    assertEquals(requests, ["HEAD", "GET"]);
    assertEquals(await Deno.readTextFile(path), "a,b\n");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "s3://b/k.csv");
    assertStringIncludes(warnings[0]!, "within 0.3 s");
    const dataDir = path.slice(0, path.lastIndexOf("/"));
    const left = [...Deno.readDirSync(dataDir)].map((e) => e.name);
    assertEquals(left, ["k.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a download with no cached copy is not cut short by the revalidation deadline", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "slow.txt", "slow");
    s3.setFaults({ latencyMs: 400 });
    const cache = make({ revalidateTimeout: 0.05 });
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/slow.txt")), "slow");
  });
});

Deno.test("a store that answers within the deadline revalidates as usual", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "one");
    const clock = new ManualClock(10_000_000);
    const warnings: string[] = [];
    const cache = make({ timeout: 10, clock, warn: (m) => warnings.push(m), revalidateTimeout: 5 });
    await cache.cache("s3://b/k.txt");
    await s3.putObject("b", "k.txt", "two");
    await clock.advance(11_000);
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/k.txt")), "two");
    assertEquals(warnings, []);
  });
});

Deno.test("revalidateTimeout and VC_REVALIDATE_TIMEOUT: a bad value is refused, naming it", () => {
  for (const bad of [-1, Infinity, "5", null]) {
    const e = assertThrows(
      () =>
        new AssetCache({
          configPath: false,
          cacheDir: "/tmp/vc-never-made",
          env: {},
          revalidateTimeout: bad as number,
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "revalidateTimeout");
  }
  const e = assertThrows(
    () =>
      new AssetCache({
        configPath: false,
        cacheDir: "/tmp/vc-never-made",
        env: { VC_REVALIDATE_TIMEOUT: "soon" },
      }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "VC_REVALIDATE_TIMEOUT");
  assertStringIncludes(e.message, '"soon"');
});
