/**
 * The repository's library calls given values of the wrong type by a
 * JavaScript caller (a tag list as a string, a number for a path or a tag, a
 * misspelt tag target, a holder left out) failed with TypeErrors from deep
 * inside (`tags.map is not a function`, `path.startsWith is not a
 * function`), or, for `{ id, path }`, silently tagged the record only. Each
 * is now an `InvalidInputError` naming what was wrong.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("repo: arguments of the wrong type are refused by name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_input_types_" });
  const A = (x: unknown) => x as never;
  try {
    await using repo = await Repository.init(`file://${dir}/repo`);
    const r = await repo.add("/a.txt", new TextEncoder().encode("a"), { tags: ["t"] });
    await repo.publish(r.id);
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => repo.add("/b.txt", new Uint8Array(1), { tags: A("raw") }),
        'Repository.add(): tags must be an array of tags (["raw"]), got "raw"',
      ],
      [() => repo.add("/b.txt", new Uint8Array(1), { tags: A([1]) }), "a tag must be a string"],
      [() => repo.add(A(5), new Uint8Array(1)), "a logical path must be a string, got 5"],
      [() => repo.current(A(undefined)), "a logical path must be a string, got undefined"],
      [() => repo.tag({ id: r.id }, A("raw")), "Repository.tag(): tags must be an array"],
      [() => repo.untag({ id: r.id }, A("t")), "Repository.untag(): tags must be an array"],
      [() => repo.tag(A({ pth: "/a.txt" }), ["x"]), 'got an object with "pth"'],
      [() => repo.tag(A({ id: r.id, path: "/z" }), ["x"]), "not both"],
      [() => repo.untag(A(null), ["x"]), "the target must be { id }"],
      [() => repo.find({ any: A("t") }), 'find: any must be an array of tags (["t"])'],
      [() => repo.find({ any: ["t"], published: A("yes") }), "published must be true or false"],
      [() => repo.list({ tag: A(["t"]) }), "a tag must be a string, got an array"],
      [() => repo.claim({ ttlMs: 100, holder: A(5) }), "a claim holder must be a string, got 5"],
      [() => repo.renew(r.id, A(undefined), 100), "a claim holder must be a string"],
      [() => repo.release(r.id, A(undefined)), "a claim holder must be a string"],
      // An empty file name is no file; an id past 2^53 - 1 is too large, not "not an integer".
      [
        () => repo.add("/b.txt", ""),
        'the content of /b.txt must be a local file path or bytes, got ""',
      ],
      [() => repo.get(2 ** 60), `record id "${2 ** 60}" is too large`],
      [
        () => repo.publish(A("12345678901234567890")),
        "is too large: ids go up to 9007199254740991",
      ],
      [() => repo.get(A("0")), 'record id "0" is not a positive integer'],
    ];
    for (const [call, expected] of cases) {
      const e = await assertRejects(call, InvalidInputError);
      assertStringIncludes(e.message, expected);
    }
    // Nothing was added, tagged or claimed by the refused calls.
    assertEquals((await repo.list()).map((x) => [x.id, x.tags, x.claimedBy]), [[
      r.id,
      ["t"],
      null,
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
