/**
 * Claims are timed in whole milliseconds: a ttl under half a millisecond
 * (`--ttl 0.0001`, `ttlMs: 0.4`) rounded to 0 and handed out a claim whose
 * `until` was the moment it was taken, so the next caller took the same
 * record at once. Such a ttl is refused like 0.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo claim/renew refuse a ttl that rounds to 0 ms", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_ttl_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    const r = await repo.publish((await repo.add("/a", new TextEncoder().encode("a"))).id);
    await assertRejects(() => repo.claim({ ttlMs: 0.4, holder: "w1" }), InvalidInputError, "1 ms");
    // Nothing was claimed: the record is free, and a real claim holds it.
    assertEquals((await repo.get(r.id)).claimedBy, null);
    const claim = await repo.claim({ ttlMs: 60_000, holder: "w1" });
    assertEquals(claim?.record.id, r.id);
    await assertRejects(() => repo.renew(r.id, "w1", 0.4), InvalidInputError, "1 ms");
    assertEquals(await repo.claim({ ttlMs: 60_000, holder: "w2" }), undefined);
    // Half a ms rounds to a 1 ms claim, as before.
    assertEquals((await repo.renew(r.id, "w1", 0.5)).holder, "w1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo claim --ttl 0.0001 is a usage error", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const r = await ws.run(["repo", "claim", "--ttl", "0.0001"], env);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "at least 1 ms");
});

Deno.test("repo claim refuses a blank holder (it could not be named to renew or release)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_claim_holder_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    await repo.publish((await repo.add("/a", new TextEncoder().encode("a"))).id);
    for (const holder of ["", "  "]) {
      await assertRejects(() => repo.claim({ ttlMs: 60_000, holder }), InvalidInputError, "holder");
    }
    assertEquals((await repo.claim({ ttlMs: 60_000, holder: "w1" }))?.holder, "w1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
