/**
 * The list readers' `maxBytes` and `stdin` as a script without type checking
 * passes them: `maxBytes: NaN` spun the reading loop for ever (a cap it could
 * never reach, synchronously: no timer or signal stopped it), `maxBytes: "4"`
 * read with a cap of "41"; `stdin: "a.txt"` was a bare "stream.getReader is
 * not a function" TypeError. Each is refused, naming the reader and option.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { listEntries, readListEntries, readListFile } from "../src/prefill/list_file.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;

Deno.test("list readers: a maxBytes or stdin of the wrong kind is refused, naming the option", async () => {
  const file = await Deno.makeTempFile({ prefix: "vc-list-opt-" });
  try {
    await Deno.writeTextFile(file, "s3://b/k\n");
    const readers = [
      ["readListFile()", readListFile],
      ["readListEntries()", readListEntries],
      ["listEntries()", listEntries],
    ] as const;
    for (const [name, read] of readers) {
      // NaN last: before the check, it never returned.
      for (const maxBytes of ["4", -1, 1.5, null, NaN]) {
        await assertRejects(
          () => read(file, bad({ maxBytes })),
          InvalidInputError,
          `${name}: the option maxBytes must be a whole number of bytes, 0 or more, got `,
        );
      }
      await assertRejects(
        () => read("-", bad({ stdin: file })),
        InvalidInputError,
        `${name}: the option stdin must be a ReadableStream of bytes, got "${file}"`,
      );
    }
    assertEquals(await readListFile(file, { maxBytes: Infinity }), ["s3://b/k"]);
    assertEquals(await readListFile(file, { maxBytes: 9 }), ["s3://b/k"]);
    await assertRejects(() => readListFile(file, { maxBytes: 8 }), InvalidInputError, "larger");
    const stdin = ReadableStream.from([new TextEncoder().encode("/a.csv\n")]);
    assertEquals(await readListFile("-", { stdin }), ["/a.csv"]);
  } finally {
    await Deno.remove(file);
  }
});
