/**
 * A location with stray whitespace is refused where it is parsed, naming it:
 * `openStore("  ")` or `openStore(" file:///x ")` used to open a directory
 * named by spaces below the working directory, which a later write created.
 * An object's key may still end in a space (S3 allows it).
 */
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { openStore } from "../src/store/open.ts";
import { parseStoreRoot, parseUri, toStoreUri } from "../src/uri.ts";
import { storeLocationArg } from "../src/cli/store_options.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { UsageError } from "../src/cli/errors.ts";

const ROOTS = [
  "  ",
  "\t",
  " file:///tmp/x ",
  " file:///tmp/x",
  "file:///tmp/x ",
  " s3://b/p",
  "s3://b/p ",
  " dir",
  "dir\n",
];

Deno.test("openStore: a root with stray whitespace is refused and nothing is created", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-root-" });
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    for (const root of ROOTS) {
      const e = await assertRejects(() => openStore(root), InvalidInputError);
      assertStringIncludes(e.message, JSON.stringify(root));
      assertStringIncludes(e.message, "whitespace");
    }
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseStoreRoot, the CLI's store flags and VersionedCache's bucket refuse it alike", async () => {
  for (const root of ROOTS) {
    assertThrows(() => parseStoreRoot(root), InvalidInputError, "whitespace");
    assertThrows(() => storeLocationArg(root, "--repo"), UsageError, "whitespace");
  }
  const e = assertThrows(() => parseStoreRoot(" file:///tmp/x "), InvalidInputError);
  assertStringIncludes(e.message, 'did you mean "file:///tmp/x"');
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-vc-" });
  try {
    const manifest = `${dir}/manifest.json`;
    await Deno.writeTextFile(manifest, "{}");
    for (const bucket of [" s3://b", "s3://b ", " ./bucket", "file:///tmp/x "]) {
      const e = assertThrows(() => new VersionedCache({ manifest, bucket }), InvalidInputError);
      assertStringIncludes(e.message, `bucket ${JSON.stringify(bucket)}`);
      assertStringIncludes(e.message, "whitespace");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseUri: whitespace-only and leading whitespace are refused; a key may end in a space", () => {
  for (const uri of ["  ", "\n", " s3://b/k", "\tfile:///d/x", " data/x.csv"]) {
    assertThrows(() => parseUri(uri), InvalidInputError, "whitespace");
    assertThrows(() => toStoreUri(uri), InvalidInputError, "whitespace");
  }
  assertThrows(() => parseUri(" s3://b/k"), InvalidInputError, 'did you mean "s3://b/k"');
  assertEquals(parseUri("s3://b/k "), { scheme: "s3", bucket: "b", key: "k " });
  assertEquals(parseUri("file:///d/h.csv "), { scheme: "file", path: "/d/h.csv " });
});

Deno.test("mirror: a source or target with stray whitespace is refused, and nothing is created", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-mirror-" });
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    const store = new MemoryStore();
    await assertRejects(
      () => mirror({ sources: [store], target: " s3://b/x" }),
      InvalidInputError,
      "whitespace",
    );
    await assertRejects(
      () => mirror({ sources: [store], target: "out " }),
      InvalidInputError,
      "whitespace",
    );
    await assertRejects(
      () => mirror({ sources: ["  "], target: store }),
      InvalidInputError,
      "whitespace",
    );
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
