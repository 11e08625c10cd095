// Calls whose options are required, called without them (a script without
// type checking): the error says the options were left out and which ones
// the call takes, not "must be an object, got null" for what was never given.
import { assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError, prefill, VersionedCache } from "../mod.ts";
import { S3Store } from "../src/store/mod.ts";
import { mirror, watchMirror } from "../src/mirror/mod.ts";

// deno-lint-ignore no-explicit-any
const call = (f: (...a: any[]) => unknown) => f();

Deno.test("a call without its required options names them", async () => {
  for (
    const [what, f] of [
      ["S3Store", () => new (S3Store as never as new () => unknown)()],
      ["VersionedCache", () => new (VersionedCache as never as new () => unknown)()],
    ] as const
  ) {
    const e = assertThrows(f, InvalidInputError);
    assertStringIncludes(e.message, `${what} needs an options object (options: `);
    assertStringIncludes(e.message, "got undefined");
  }
  for (
    const [what, f] of [["prefill()", prefill], ["Mirror", mirror], [
      "watchMirror",
      watchMirror,
    ]] as const
  ) {
    const e = await assertRejects(() => call(f), InvalidInputError);
    assertStringIncludes(e.message, `${what} needs an options object (options: `);
  }
  const e = assertThrows(() => new S3Store(null as never), InvalidInputError);
  assertStringIncludes(e.message, "S3Store needs an options object (options: bucket");
  assertStringIncludes(e.message, "got null");
});

// A team's bucket lives in a `vc.json` (or `VC_BUCKET`), which the `vc`
// commands read; `new VersionedCache({ manifest })` reads neither, and said
// only `bucket must be a bucket (…), got undefined`, naming no class and not
// why the project's bucket was not used.
Deno.test("VersionedCache without its bucket names the option and where the commands' bucket comes from", () => {
  for (const options of [{ manifest: "m.json" }, { manifest: "m.json", bucket: undefined }]) {
    const e = assertThrows(() => new VersionedCache(options as never), InvalidInputError);
    assertStringIncludes(e.message, "VersionedCache: the option bucket is required");
    assertStringIncludes(e.message, "got undefined");
    assertStringIncludes(e.message, "VC_BUCKET");
    assertStringIncludes(e.message, "resolveSettings({ projectDir })");
  }
  // A value that is there but wrong keeps its own message.
  const e = assertThrows(
    () => new VersionedCache({ manifest: "m.json", bucket: "s3//b" }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "s3://b");
});
