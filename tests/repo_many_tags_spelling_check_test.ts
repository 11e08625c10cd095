/**
 * `tag` (and `add --tag`) of many tags at once checked each tag's Unicode
 * spelling against every tag given before it in the call: the square of the
 * count, under the catalog's writer lock (measured: 8,000 tags held it 6 s,
 * 40,000 tags 150 s, while every other writer waited and then failed busy).
 * The check against the call's own tags is now one lookup by NFC form, so
 * its cost grows with the count. Counted, not timed: the normalizations the
 * check makes, at most a few per tag.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

/** How many times `String.prototype.normalize` ran during `fn`. */
async function normalizations(fn: () => Promise<unknown>): Promise<number> {
  const original = String.prototype.normalize;
  let calls = 0;
  String.prototype.normalize = function (this: string, form?: string) {
    calls++;
    return original.call(this, form);
  };
  try {
    await fn();
  } finally {
    String.prototype.normalize = original;
  }
  return calls;
}

Deno.test("repo tag of many tags checks their spellings in time linear in their count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_many_tags_" });
  try {
    await using repo = await Repository.init(`file://${dir}`);
    const record = await repo.add("/a.txt", new TextEncoder().encode("a"));
    const count = 2_000;
    const tags = Array.from({ length: count }, (_, i) => `t${i}`);
    const calls = await normalizations(() => repo.tag({ id: record.id }, tags));
    assert(calls <= 20 * count, `${calls} normalizations for ${count} tags`);
    assertEquals((await repo.get(record.id)).tags.length, count);
    // Two spellings of one tag given together are still refused, naming both.
    const twins = await assertRejects(
      () => repo.tag({ id: record.id }, ["x", "caf\u00e9", "y", "cafe\u0301"]),
      InvalidInputError,
    );
    assert(twins.message.includes("given with it"), twins.message);
    assert(twins.message.includes('"cafe\\u0301"'), twins.message);
    assert(twins.message.includes('"caf\\u00e9"'), twins.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
