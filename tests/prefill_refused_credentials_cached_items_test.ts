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
import { startFakeS3 } from "../src/testing/mod.ts";

const ITEMS = 40;

Deno.test("vc prefill: refused credentials fail one item, whatever the items in flight, the cached ones served", async () => {
  await using s3 = await startFakeS3({ buckets: ["bkt"] });
  for (let i = 0; i < ITEMS; i++) await s3.putObject("bkt", `k${i}.txt`, `content ${i}\n`);
  let refuse = false;
  // Refusals held until as many are asked as a run has in flight (or a
  // moment has passed), then answered together, as a store answers
  // requests sent together.
  let held: Array<() => void> = [];
  const release = () => {
    for (const r of held) r();
    held = [];
  };
  const ac = new AbortController();
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      if (refuse) {
        const timer = setTimeout(release, 1000);
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length >= 16) release();
        });
        clearTimeout(timer);
        return new Response(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ExpiredToken</Code>` +
            `<Message>The provided token has expired.</Message></Error>`,
          { status: 400, headers: { "content-type": "application/xml" } },
        );
      }
      const url = new URL(req.url);
      return await fetch(`${s3.url}${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
      });
    },
  );
  try {
    await withWorkspace(async (dir, vc) => {
      const list = `${dir}/list.txt`;
      await Deno.writeTextFile(
        list,
        Array.from({ length: ITEMS }, (_, i) => `s3://bkt/k${i}.txt\n`).join(""),
      );
      const env = {
        ...testAwsEnv(`http://127.0.0.1:${proxy.addr.port}`),
        // A key the fake does not check: the proxy's Host is not the fake's.
        AWS_ACCESS_KEY_ID: "AKIASESSION",
        AWS_SESSION_TOKEN: "token",
        AWS_MAX_ATTEMPTS: "1",
      };
      const cold = await vc(["prefill", "--list", list, "--json"], env);
      assertEquals(cold.code, 0, cold.stderr);
      assertEquals(JSON.parse(cold.stdout).fetched, ITEMS);

      refuse = true;
      // Every copy due for revalidation, as in a cache restored from days ago.
      const warm = await vc(["prefill", "--list", list, "--json", "--concurrency", "16"], {
        ...env,
        VC_CACHE_TIMEOUT: "0",
      });
      assertEquals(warm.code, 1, warm.stderr);
      const summary = JSON.parse(warm.stdout);
      const failed: Array<{ item: string; error: string }> = summary.failed;
      assertEquals(failed.length, 1, JSON.stringify(failed, null, 1));
      assertStringIncludes(failed[0]!.error, "ExpiredToken");
      assertEquals(summary.alreadyCached, ITEMS - 1);
    });
  } finally {
    release();
    ac.abort();
    await proxy.finished;
  }
});

Deno.test("vc prefill: an item served as cached while its store refuses does not bring the store back", async () => {
  await using s3 = await startFakeS3({ buckets: ["bkt"] });
  for (let i = 0; i < 10; i++) await s3.putObject("bkt", `k${i}.txt`, `content ${i}\n`);
  let refuse = false;
  const asked = new Set<string>();
  // k1's revalidation never answered: it waits while k0's is refused, and is
  // stopped, served as cached, once the refusal is known.
  const held: Array<() => void> = [];
  const ac = new AbortController();
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      if (refuse) {
        asked.add(url.pathname);
        if (url.pathname.endsWith("/k1.txt")) {
          await new Promise<void>((resolve) => held.push(resolve));
        }
        return new Response(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ExpiredToken</Code>` +
            `<Message>The provided token has expired.</Message></Error>`,
          { status: 400, headers: { "content-type": "application/xml" } },
        );
      }
      return await fetch(`${s3.url}${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
      });
    },
  );
  try {
    await withWorkspace(async (dir, vc) => {
      const list = `${dir}/list.txt`;
      await Deno.writeTextFile(
        list,
        Array.from({ length: 10 }, (_, i) => `s3://bkt/k${i}.txt\n`).join(""),
      );
      const env = {
        ...testAwsEnv(`http://127.0.0.1:${proxy.addr.port}`),
        AWS_ACCESS_KEY_ID: "AKIASESSION",
        AWS_SESSION_TOKEN: "token",
        AWS_MAX_ATTEMPTS: "1",
      };
      const cold = await vc(["prefill", "--list", list, "--json"], env);
      assertEquals(cold.code, 0, cold.stderr);

      refuse = true;
      const warm = await vc(["prefill", "--list", list, "--json", "--concurrency", "2"], {
        ...env,
        VC_CACHE_TIMEOUT: "0",
      });
      assertEquals(warm.code, 1, warm.stderr);
      const summary = JSON.parse(warm.stdout);
      const failed: Array<{ item: string; error: string }> = summary.failed;
      // It brought the store back: k2 was asked, refused, and said it at length.
      assertEquals(failed.map((f) => f.item), ["s3://bkt/k0.txt"], JSON.stringify(failed, null, 1));
      assertEquals(summary.alreadyCached, 9);
      // No item but k0 and k1 asked.
      assertEquals([...asked].sort(), ["/bkt/k0.txt", "/bkt/k1.txt"]);
    });
  } finally {
    for (const r of held) r();
    ac.abort();
    await proxy.finished;
  }
});
