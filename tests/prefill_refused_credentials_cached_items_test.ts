/**
 * A CI job whose cache was restored (copies due for revalidation) while its
 * credentials are refused (a session token expired, a fork's pull request
 * without the secrets): once the store's refusal is known, its cached items
 * are served as they are, without asking it, and only the item whose failure
 * says why fails. The items in flight when the refusal came were not: each of
 * them failed too, so the same warm cache failed 1 item at `--concurrency 1`
 * and up to 16 at the default, the job's failures a race of its timing.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { errorXml, startS3Proxy } from "./s3_proxy.ts";

/** Its session token expired: what S3 answers every request then. */
function expiredToken(): Response {
  return new Response(errorXml("ExpiredToken", "The provided token has expired."), {
    status: 400,
    headers: { "content-type": "application/xml" },
  });
}

/**
 * Caches `items` objects (`s3://b/k0.txt`…) with `vc prefill` through a proxy
 * in front of the fake S3; then, every copy due for revalidation (as in a
 * cache restored from days ago), runs `vc prefill --concurrency N` again while
 * `refused(url)` answers each request in the proxy's place; `release()`
 * frees the answers it holds back before the proxy stops. Returns that
 * run's JSON summary (it must exit 1).
 */
async function prefillRefusedWhenWarm(
  items: number,
  concurrency: number,
  refused: (url: URL) => Promise<Response>,
  release: () => void,
): Promise<{ failed: Array<{ item: string; error: string }>; alreadyCached: number }> {
  let refuse = false;
  await using proxied = await startS3Proxy((req, forward) =>
    refuse ? refused(new URL(req.url)) : forward()
  );
  for (let i = 0; i < items; i++) await proxied.fake.putObject("b", `k${i}.txt`, `content ${i}\n`);
  let summary;
  try {
    await withWorkspace(async (dir, vc) => {
      const list = `${dir}/list.txt`;
      await Deno.writeTextFile(
        list,
        Array.from({ length: items }, (_, i) => `s3://b/k${i}.txt\n`).join(""),
      );
      const env = {
        ...testAwsEnv(proxied.endpoint),
        AWS_ACCESS_KEY_ID: "AKIASESSION",
        AWS_SESSION_TOKEN: "token",
        AWS_MAX_ATTEMPTS: "1",
      };
      const cold = await vc(["prefill", "--list", list, "--json"], env);
      assertEquals(cold.code, 0, cold.stderr);
      assertEquals(JSON.parse(cold.stdout).fetched, items);

      refuse = true;
      const warm = await vc(
        ["prefill", "--list", list, "--json", "--concurrency", String(concurrency)],
        { ...env, VC_CACHE_TIMEOUT: "0" },
      );
      assertEquals(warm.code, 1, warm.stderr);
      summary = JSON.parse(warm.stdout);
    });
  } finally {
    release();
  }
  return summary!;
}

const ITEMS = 40;

Deno.test("vc prefill: refused credentials fail one item, whatever the items in flight, the cached ones served", async () => {
  // Refusals held until as many are asked as a run has in flight (or a
  // moment has passed), then answered together, as a store answers
  // requests sent together.
  let held: Array<() => void> = [];
  const release = () => {
    for (const r of held) r();
    held = [];
  };
  const summary = await prefillRefusedWhenWarm(ITEMS, 16, async () => {
    const timer = setTimeout(release, 1000);
    await new Promise<void>((resolve) => {
      held.push(resolve);
      if (held.length >= 16) release();
    });
    clearTimeout(timer);
    return expiredToken();
  }, release);
  const failed = summary.failed;
  assertEquals(failed.length, 1, JSON.stringify(failed, null, 1));
  assertStringIncludes(failed[0]!.error, "ExpiredToken");
  assertEquals(summary.alreadyCached, ITEMS - 1);
});

Deno.test("vc prefill: an item served as cached while its store refuses does not bring the store back", async () => {
  const asked = new Set<string>();
  // k1's revalidation never answered: it waits while k0's is refused, and is
  // stopped, served as cached, once the refusal is known.
  const held: Array<() => void> = [];
  const summary = await prefillRefusedWhenWarm(10, 2, async (url) => {
    asked.add(url.pathname);
    if (url.pathname.endsWith("/k1.txt")) {
      await new Promise<void>((resolve) => held.push(resolve));
    }
    return expiredToken();
  }, () => held.forEach((r) => r()));
  const failed = summary.failed;
  // It brought the store back: k2 was asked, refused, and said it at length.
  assertEquals(failed.map((f) => f.item), ["s3://b/k0.txt"], JSON.stringify(failed, null, 1));
  assertEquals(summary.alreadyCached, 9);
  // No item but k0 and k1 asked.
  assertEquals([...asked].sort(), ["/b/k0.txt", "/b/k1.txt"]);
});
