/**
 * A claim an explicit `expire` ended (the record then published again and
 * claimed by another worker) is refused to its old holder with words that
 * name that way too: before, the message said only that the claim's ttl had
 * passed, which sent the holder looking at its ttl.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertRejects } from "./assert.ts";
import { ClaimLostError, Repository } from "../src/repo/mod.ts";

Deno.test("repo: renew of a claim an expire ended names the expire, not only the ttl", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_claim_lost_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    const r = await repo.publish((await repo.add("/a", new TextEncoder().encode("a"))).id);
    await repo.claim({ ttlMs: 600_000, holder: "w1" });
    await repo.expire(r.id);
    await repo.publish(r.id);
    await repo.claim({ ttlMs: 600_000, holder: "w2" });
    await assertRejects(
      () => repo.renew(r.id, "w1", 60_000),
      ClaimLostError,
      "the record was expired (and published again)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
