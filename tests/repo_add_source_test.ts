/**
 * `Repository.add()` takes a file path or bytes. A JavaScript caller passing
 * anything else (a `ReadableStream`, a `Blob`, `null`) got a TypeError from
 * deep inside the hashing ("The "data" argument must be of type string…",
 * "Cannot read properties of null") that named neither the call nor the
 * path; now it is an `InvalidInputError` naming both, before any upload.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("repo add: a source that is neither a path nor bytes is refused by name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_add_source_" });
  try {
    await using repo = await Repository.init(`file://${dir}/repo`);
    const cases: [unknown, string][] = [
      [new Blob(["hello"]).stream(), "a ReadableStream object; write the stream to a file"],
      [new Blob(["hello"]), "a Blob object"],
      [null, "got null"],
      [new ArrayBuffer(3), "an ArrayBuffer object"],
    ];
    for (const [source, expected] of cases) {
      const e = await assertRejects(
        () => repo.add("/s.txt", source as Uint8Array),
        InvalidInputError,
      );
      assertStringIncludes(e.message, "Repository.add(): the content of /s.txt must be");
      assertStringIncludes(e.message, expected);
    }
    assertEquals(await repo.list(), []);
    assertEquals([...Deno.readDirSync(`${dir}/repo`)].some((e) => e.name === "content"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
