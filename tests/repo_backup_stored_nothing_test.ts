/**
 * `vc repo backup` through a gateway or proxy that answers a PUT 200 with
 * the body's MD5 as its ETag and keeps nothing: the backup printed its URI
 * and exited 0, and the backup did not exist (found out at restore time,
 * when it is needed). Now the backup is confirmed stored (a HEAD with the
 * put's ETag and the snapshot's size) before its URI is handed back: the
 * backup fails naming the object and saying it is missing.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { openStore } from "../src/store/open.ts";
import { Repository } from "../src/repo/mod.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

for (const dest of [undefined, "s3://b/elsewhere/catalog.jsonl.gz"]) {
  Deno.test(`repo backup ${dest ?? "(to backups/)"}: a PUT acknowledged but not stored fails`, async () => {
    let drop = false;
    const dropped: string[] = [];
    await using proxied = await startS3Proxy(async (req, forward) => {
      const url = new URL(req.url);
      if (drop && req.method === "PUT" && !url.searchParams.has("uploadId")) {
        const body = new Uint8Array(await req.arrayBuffer());
        dropped.push(url.pathname);
        return new Response(null, { status: 200, headers: { etag: `"${md5Hex(body)}"` } });
      }
      return await forward();
    });
    const store = testS3Options({ url: proxied.endpoint }, { maxAttempts: 1 });
    await using dir = await tempDir();
    await using repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir.path, "c.sqlite")}`,
      openStore: (u: string, o?: Parameters<typeof openStore>[1]) =>
        openStore(u, { ...o, ...store }),
    });
    await repo.add("/raw/a.csv", new TextEncoder().encode("a,b\n"));
    drop = true;
    const error = await assertRejects(() => repo.backup(dest), IntegrityError);
    assertEquals(dropped.length, 1);
    assertStringIncludes(error.message, dest ?? "s3://b/repo/backups/catalog-");
    assertStringIncludes(error.message, "missing right after the upload");
    drop = false;
    // A backup that works is handed back as before.
    const ok = await repo.backup(dest === undefined ? undefined : dest.replace("catalog", "again"));
    assertEquals((await proxied.direct.head(ok.uri.replace("s3://b/", ""))) !== undefined, true);
  });
}
