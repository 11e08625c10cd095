/**
 * A proxy that alters an upload's body (here: cuts its end, and sends a
 * Content-MD5 of what it forwards) gets the altered bytes stored, and its
 * 200 carries their ETag, not the MD5 vc sent. `S3Store.put` refused it,
 * but a create-only put left the altered object at its key: `vc add`
 * failed, and every run after it failed too, saying the version "was
 * published by someone else meanwhile". Now the object that create-only
 * PUT stored (the answered ETag, by If-Match) is deleted, the error says
 * so, and the next run publishes (`vc repo add` no longer leaves the
 * altered content behind either). So when the proxy's 200 has no ETag: the
 * HEAD then finds the cut object, which was reported as "nothing was
 * stored" and left in the way too.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { hexToBase64 } from "../src/store/s3_request.ts";
import { publishVersion } from "../src/versioned/publish.ts";
import { digestSource, snapshotSource } from "../src/versioned/source_file.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";

/**
 * The fake S3 behind a proxy that cuts 3 bytes off each PUT's body while
 * `alter()` says so, and answers with the store's ETag, or none.
 */
function alteringProxy(alter: () => boolean, etag: "kept" | "dropped" = "kept") {
  return startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (alter() && req.method === "PUT" && !url.searchParams.has("uploadId")) {
      const text = await req.text();
      const cut = text.slice(0, text.length - 3);
      const answer = await forward(cut, {
        "content-md5": hexToBase64(md5Hex(new TextEncoder().encode(cut))),
      });
      if (etag === "kept") return answer;
      await answer.body?.cancel();
      return new Response(null, { status: answer.status });
    }
    return await forward();
  }, { store: { maxAttempts: 1 } });
}

Deno.test("S3Store.put: a create-only PUT answered with another ETag than the body's MD5 leaves no object", async () => {
  let alter = true;
  await using proxied = await alteringProxy(() => alter);
  const body = new TextEncoder().encode("the body as sent");
  const e = await assertRejects(
    () => proxied.store.put("k.txt", body, { ifNoneMatch: "*" }),
    IntegrityError,
  );
  assertStringIncludes(e.message, "s3://b/k.txt");
  assertStringIncludes(e.message, `the body's MD5 is ${md5Hex(body)}`);
  assertStringIncludes(e.message, "was deleted");
  assertEquals(await proxied.direct.head("k.txt"), undefined);
  alter = false;
  const { etag } = await proxied.store.put("k.txt", body, { ifNoneMatch: "*" });
  assertEquals(etag, md5Hex(body));
});

/** The request of version 1.0.0 of `/a.txt`, published from `file`. */
async function publishRequest(file: string) {
  return {
    bucket: "s3://b",
    manifest: "m.json",
    path: "/a.txt",
    version: "1.0.0",
    snapshot: await snapshotSource(file),
    digest: await digestSource(file),
    retryHint: "retry",
  };
}

Deno.test("publishVersion: an upload a proxy altered is refused and deleted, and the next run publishes", async () => {
  let alter = true;
  await using proxied = await alteringProxy(() => alter);
  const dir = await Deno.makeTempDir({ prefix: "vc_publish_altered_upload_" });
  try {
    const file = join(dir, "a.txt");
    await Deno.writeTextFile(file, "hello versioned content");
    const request = () => publishRequest(file);
    const e = await assertRejects(
      async () => publishVersion(proxied.store, await request()),
      IntegrityError,
    );
    assertStringIncludes(e.message, "s3://b/a.1.0.0.txt was stored with ETag");
    assertEquals(await proxied.direct.head("a.1.0.0.txt"), undefined);
    alter = false;
    const etag = await publishVersion(proxied.store, await request());
    assertEquals(etag, md5Hex(await Deno.readFile(file)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo add: content a proxy altered is refused and leaves no object under content/", async () => {
  let alter = false;
  await using proxied = await alteringProxy(() => alter);
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_altered_upload_" });
  try {
    const store = testS3Options({ url: proxied.endpoint }, { maxAttempts: 1 });
    await using repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string, o?: Parameters<typeof openStore>[1]) =>
        openStore(u, { ...o, ...store }),
    });
    const data = new TextEncoder().encode("a,b\n1,2\n3,4\n");
    alter = true;
    const e = await assertRejects(() => repo.add("/raw/a.csv", data), IntegrityError);
    assertStringIncludes(e.message, "s3://b/repo/content/");
    assertStringIncludes(e.message, "was deleted");
    const left: string[] = [];
    for await (const o of proxied.direct.list("repo/content/")) left.push(o.key);
    assertEquals(left, []);
    alter = false;
    const record = await repo.add("/raw/a.csv", data);
    assertEquals(record.md5, md5Hex(data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("publishVersion: a cut upload answered 200 without an ETag is deleted, and the next run publishes", async () => {
  let alter = true;
  await using proxied = await alteringProxy(() => alter, "dropped");
  const dir = await Deno.makeTempDir({ prefix: "vc_publish_cut_no_etag_" });
  try {
    const file = join(dir, "a.txt");
    await Deno.writeTextFile(file, "hello versioned content");
    const request = () => publishRequest(file);
    const e = await assertRejects(
      async () => publishVersion(proxied.store, await request()),
      IntegrityError,
    );
    assertStringIncludes(e.message, "s3://b/a.1.0.0.txt");
    assertStringIncludes(e.message, "has 20 bytes, not 23");
    assertStringIncludes(e.message, "was deleted");
    assertEquals(e.message.includes("nothing was stored"), false, e.message);
    assertEquals(await proxied.direct.head("a.1.0.0.txt"), undefined);
    alter = false;
    const etag = await publishVersion(proxied.store, await request());
    assertEquals(etag, md5Hex(await Deno.readFile(file)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
