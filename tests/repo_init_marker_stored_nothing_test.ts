/**
 * `vc repo init` through a gateway or proxy that answers the marker's PUT
 * 200 (with its MD5 as ETag) and keeps nothing: init said "initialised" and
 * every later command found no repository ("run `vc repo init` first"). Now
 * the marker is confirmed stored before init succeeds: it fails naming the
 * marker, and the catalog is left free for the init run again.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { openStore } from "../src/store/open.ts";
import { Repository } from "../src/repo/mod.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

Deno.test("repo init: a marker PUT acknowledged but not stored fails, and the init can run again", async () => {
  let drop = true;
  await using proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (drop && req.method === "PUT" && url.pathname.endsWith("/.vc-repo.json")) {
      const body = new Uint8Array(await req.arrayBuffer());
      return new Response(null, { status: 200, headers: { etag: `"${md5Hex(body)}"` } });
    }
    return await forward();
  });
  const store = testS3Options({ url: proxied.endpoint }, { maxAttempts: 1 });
  await using dir = await tempDir();
  const options = {
    catalog: `sqlite:${join(dir.path, "c.sqlite")}`,
    openStore: (u: string) => openStore(u, store),
  };
  const error = await assertRejects(() => Repository.init("s3://b/repo", options), IntegrityError);
  assertStringIncludes(error.message, "s3://b/repo/.vc-repo.json");
  assertStringIncludes(error.message, "missing right after the upload");
  drop = false;
  await using repo = await Repository.init("s3://b/repo", options);
  assertEquals((await proxied.direct.head("repo/.vc-repo.json")) !== undefined, true);
  assertEquals((await repo.add("/a.csv", new TextEncoder().encode("a\n"))).id, 1);
});
