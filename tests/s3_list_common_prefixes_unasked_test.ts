/**
 * vc lists with no delimiter: every key under the prefix comes as a
 * `<Contents>`. A server (or a proxy) that groups keys by `/` unasked answers
 * the keys below each "folder" as one `<CommonPrefixes>`, which the listing
 * passed over in silence: it ended short, with only the top-level keys, and
 * a mirror down with --delete removed every local file in a subdirectory.
 * A listing page with `<CommonPrefixes>` now fails the listing, naming the
 * endpoint and the prefix, and nothing is deleted.
 */
import { join } from "node:path";
import { StoreError, VcError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";
import { startS3Proxy } from "./s3_proxy.ts";

/** The fake S3 behind a proxy that asks every listing for `delimiter=/`. */
function groupingByFolder() {
  const started = startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || !url.searchParams.has("list-type")) return await forward();
    url.searchParams.set("delimiter", "/");
    const proxied = await started;
    return await fetch(new URL(url.pathname + url.search, proxied.fake.url), {
      headers: req.headers,
    });
  }, { store: { maxAttempts: 1 } });
  return started;
}

Deno.test("s3 list: a page grouping keys under CommonPrefixes unasked fails the listing", async () => {
  await using proxied = await groupingByFolder();
  for (const k of ["p/a.txt", "p/d/b.txt"]) await proxied.fake.putObject("b", k, k);
  const error = await assertRejects(
    async () => {
      for await (const _ of proxied.store.list("p/")) { /* drain */ }
    },
    StoreError,
    "CommonPrefixes",
  );
  assertStringIncludes(error.message, `LIST s3://b/p/ at ${proxied.endpoint}:`);
  assertStringIncludes(error.message, '"p/d/"');
});

Deno.test("mirror store → local: a listing grouped under CommonPrefixes deletes no local file", async () => {
  await using proxied = await groupingByFolder();
  for (const k of ["a.txt", "d/b.txt"]) await proxied.fake.putObject("b", k, k);
  await using w = await tempDir();
  const dest = join(w.dir, "dest");
  await Deno.mkdir(join(dest, "d"), { recursive: true });
  await Deno.writeTextFile(join(dest, "d", "b.txt"), "d/b.txt");
  const error = await assertRejects(
    () =>
      mirror({
        sources: ["s3://b"],
        target: dest,
        delete: true,
        cacheDir: join(w.dir, "cache"),
        openStore: () => Promise.resolve(proxied.store),
      }),
    VcError,
    "CommonPrefixes",
  );
  assertStringIncludes(error.message, "nothing was deleted");
  assertEquals(await Deno.readTextFile(join(dest, "d", "b.txt")), "d/b.txt");
});

Deno.test("s3 list: an empty CommonPrefixes element groups no key and is passed over", async () => {
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    const answer = await forward();
    if (req.method !== "GET" || !url.searchParams.has("list-type")) return answer;
    const xml = (await answer.text()).replace(
      "</ListBucketResult>",
      "<CommonPrefixes/><CommonPrefixes><Prefix></Prefix></CommonPrefixes></ListBucketResult>",
    );
    return new Response(xml, {
      status: answer.status,
      headers: { "content-type": "application/xml" },
    });
  }, { store: { maxAttempts: 1 } });
  for (const k of ["p/a.txt", "p/d/b.txt"]) await proxied.fake.putObject("b", k, k);
  const keys: string[] = [];
  for await (const entry of proxied.store.list("p/")) keys.push(entry.key);
  assertEquals(keys.sort(), ["p/a.txt", "p/d/b.txt"]);
});
