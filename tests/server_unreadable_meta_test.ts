/**
 * A metadata object that is not an entry's (not JSON, or JSON without an
 * entry's fields: written by another tool, or damaged) blocks neither its ID
 * nor the sweep: a download is a 404 naming the object, the owner asking for
 * the cache ID again replaces it, and a sweep reports it, leaves it and its
 * data in place, and goes on with the other entries.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { keys, newCacheId, startService, upload } from "./server_helpers.ts";
import { Entries } from "../src/server/entries.ts";

const enc = new TextEncoder();

for (
  const [what, text] of [
    ["not JSON", "garbage"],
    ["a JSON array", "[1, 2]"],
    ["JSON without an owner", '{"filename": "x", "expiresAt": 1, "size": 1}'],
  ]
) {
  Deno.test(`metadata that is ${what}: 404 naming it, replaced by its owner, reported by the sweep`, async () => {
    await using svc = await startService();
    const token = svc.tokens.alice;
    const params = { unreadable: what };
    const id = (await newCacheId(svc.url, token, params)).doc.cache_id as string;
    assertEquals((await upload(svc.url, token, id, "payload")).status, 200);
    const data = (await keys(svc.store, "data/")).filter((k) => k.startsWith(`data/${id}/`));
    assertEquals(data.length, 1);
    // Another entry the sweep must still get to.
    const other = (await newCacheId(svc.url, token, { other: what })).doc.cache_id as string;
    await svc.store.put(`meta/${id}.json`, enc.encode(text));

    const res = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
    const body = await res.text();
    assertEquals(res.status, 404, body);
    assertStringIncludes(body, `meta/${id}.json`);

    const swept = await new Entries(svc.store).sweep();
    assertEquals(swept.unreadable?.length, 1, JSON.stringify(swept));
    assertStringIncludes(swept.unreadable![0]!, `meta/${id}.json`);
    assert(swept.scanned >= 2, JSON.stringify(swept));
    // Left in place, data included, for someone to look at.
    assert((await keys(svc.store, "meta/")).includes(`meta/${id}.json`));
    assert((await keys(svc.store, "meta/")).includes(`meta/${other}.json`));
    assertEquals((await keys(svc.store, "data/")).filter((k) => k.startsWith(`data/${id}/`)), data);

    // The owner asks for the ID again: a fresh entry, usable as any.
    const again = await newCacheId(svc.url, token, params);
    assertEquals(again.doc.cache_id, id);
    assertEquals((await upload(svc.url, token, id, "fresh")).status, 200);
    const got = await fetch(`${svc.url}/v1/cache/${id}`, { headers: { authorization: token } });
    assertEquals([got.status, await got.text()], [200, "fresh"]);
  });
}
