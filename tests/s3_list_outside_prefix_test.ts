/**
 * A listing page naming a key outside the prefix asked for (a broken or
 * hostile S3-compatible server) fails the listing: the store made such keys
 * "relative" by cutting the prefix's length off, so `b/other.txt` listed
 * under `a/` came out as `other.txt`, and `vc mirror s3://b/a DIR` wrote
 * another prefix's object into DIR under a name that is not its own.
 */
import { StoreError, VcError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

const ETAG = "&quot;d41d8cd98f00b204e9800998ecf8427e&quot;";

function page(keys: string[]): string {
  return `<ListBucketResult><IsTruncated>false</IsTruncated>${
    keys.map((k) => `<Contents><Key>${k}</Key><ETag>${ETAG}</ETag><Size>0</Size></Contents>`)
      .join("")
  }</ListBucketResult>`;
}

async function withServer(
  keys: string[],
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.searchParams.get("list-type") === "2") {
      return new Response(page(keys), { headers: { "content-type": "application/xml" } });
    }
    return new Response("", {
      status: 200,
      headers: { etag: `"d41d8cd98f00b204e9800998ecf8427e"` },
    });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

function storeOn(endpoint: string, prefix?: string): S3Store {
  return new S3Store({
    bucket: "b",
    ...(prefix === undefined ? {} : { prefix }),
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
  });
}

Deno.test("s3 list: a key outside the listed prefix is an error, not a key with the prefix cut off", async () => {
  for (const prefix of [undefined, "a"]) {
    await withServer(["a/ok.txt", "b/other.txt"], async (endpoint) => {
      await using store = storeOn(endpoint, prefix);
      const list = prefix === undefined ? "a/" : "";
      const error = await assertRejects(async () => {
        for await (const _ of store.list(list)) { /* drain */ }
      }, StoreError);
      assertStringIncludes(error.message, '"b/other.txt"');
      assertStringIncludes(error.message, "outside");
    });
  }
});

Deno.test("s3 list: a mirror from a server listing another prefix's key writes nothing under a wrong name", async () => {
  await withServer(["a/ok.txt", "b/other.txt"], async (endpoint) => {
    const dir = await Deno.makeTempDir({ prefix: "vc-outside-prefix-" });
    try {
      await using store = storeOn(endpoint, "a");
      await assertRejects(
        () => mirror({ sources: [store], target: `${dir}/out`, statePath: `${dir}/s.db` }),
        VcError,
        "outside",
      );
      const names: string[] = [];
      for await (const e of Deno.readDir(dir)) names.push(e.name);
      try {
        for await (const e of Deno.readDir(`${dir}/out`)) names.push(e.name);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      assertEquals(names.includes("other.txt"), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
