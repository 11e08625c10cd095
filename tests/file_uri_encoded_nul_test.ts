// A file URI whose `%00` decodes to a NUL names no file (no path can hold
// one): it is a malformed URI, refused when it is parsed, naming it, as a
// NUL written plainly is and as other malformed file URIs are (`%ZZ`,
// `%2F`): `vc cache get` exits 2 (usage), not 1 with the store's
// `invalid key "a.txt\u0000x"`, which named no URI.
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseUri } from "../src/uri.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("parseUri: a file URI with %00 is refused, naming it", () => {
  for (const uri of ["file:///tmp/a.txt%00x", "file:///tmp/a%00/b.txt"]) {
    const e = assertThrows(() => parseUri(uri), InvalidInputError);
    assertStringIncludes(e.message, uri);
    assertStringIncludes(e.message, "NUL");
  }
});

Deno.test("vc cache get: a file URI with %00 is a usage error (exit 2), as other malformed ones", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc-file-uri-nul-" });
  try {
    await Deno.writeTextFile(`${root}/a.txt`, "a\n");
    for (const uri of [`file://${root}/a.txt%00x`, `file://${root}/%ZZ`]) {
      const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
      const code = await runCli(["cache", "get", uri, "--cache-dir", `${root}/cache`], io);
      assertEquals(code, 2, io.stderr());
      assertStringIncludes(io.stderr(), uri);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
