/**
 * A revalidation whose store answers every attempt with a 5xx (S3's 500
 * InternalError, a gateway's 502) serves the stale copy, but its warning says
 * the store answered and what (`cannot revalidate`, the status), not that it
 * could not be reached: that sent users checking the network and the endpoint
 * of a store that was there, failing on its side. Nor is such an answer noted
 * for other processes as a store that gives no answer.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { testS3Options } from "./versioned_helpers.ts";

const INTERNAL = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
  "<Message>We encountered an internal error. Please try again.</Message></Error>";

Deno.test("revalidation answered 500 on every attempt: the warning says the store answered, not 'cannot reach'", async () => {
  let failing = false;
  let answered = 0;
  await using proxy = await startS3Proxy((_req, forward) => {
    if (!failing) return forward();
    answered++;
    return new Response(INTERNAL, { status: 500, headers: { "content-type": "application/xml" } });
  });
  await proxy.fake.putObject("b", "k.csv", "a,b\n");
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-500-" });
  const warnings: string[] = [];
  const stale: string[] = [];
  try {
    await using cache = new AssetCache({
      cacheDir: dir,
      configPath: false,
      env: {},
      timeout: 0,
      revalidateTimeout: 0,
      warn: (m) => warnings.push(m),
      store: testS3Options({ url: proxy.endpoint }),
    });
    const path = await cache.cache("s3://b/k.csv");
    failing = true;
    assertEquals(await cache.cache("s3://b/k.csv", { onStale: (s) => stale.push(s.reason) }), path);
    assert(answered >= 2, `the store was asked on each attempt (${answered})`);
    const warning = warnings.find((w) => w.includes("serving the cached copy"));
    assert(warning !== undefined, warnings.join("\n"));
    assertStringIncludes(warning, "cannot revalidate s3://b/k.csv");
    assertStringIncludes(warning, "failed: 500");
    assert(!warning.includes("cannot reach"), warning);
    assertEquals(stale.length, 1);
    assertStringIncludes(stale[0]!, "failed: 500");
    // An answer is no silence: no note telling other processes to skip asking.
    const unanswered = await Array.fromAsync(walkNames(`${dir}/.meta`));
    assert(!unanswered.some((n) => n.endsWith("%unanswered")), unanswered.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function* walkNames(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    yield path;
    if (e.isDirectory) yield* walkNames(path);
  }
}
