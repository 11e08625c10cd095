/**
 * Store URIs a user mistypes, as a class. `s3:/b/x` was refused with no word
 * of what was meant (and `vc mirror` said only "TARGET must be a store URI"),
 * `s3//b/x` and `arn:aws:s3:::b/x` were taken for local directories (a mirror
 * wrote into `./s3/b/x`), an S3 HTTPS URL was "unsupported scheme https", and
 * a Windows path `C:\data` on Linux was a file of that name in the working
 * directory. Each is now refused by the one URI parser, naming the input and,
 * where the intent is plain, the URI meant; every command and `openStore`
 * get the same words. Valid spellings keep working.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseUri } from "../src/uri.ts";
import { normalizeBucket } from "../src/config.ts";
import { parsePrefillItem } from "../src/prefill/list_file.ts";
import { openStore } from "../src/store/open.ts";

const MEANT: [string, string][] = [
  ["s3:/b/x", "did you mean s3://b/x?"],
  ["s3:b/x", "did you mean s3://b/x?"],
  ["s3//b/x", "did you mean s3://b/x?"],
  ["https://bucket.s3.amazonaws.com/key", "did you mean s3://bucket/key?"],
  ["https://bucket.s3.eu-west-1.amazonaws.com/a/b.csv", "did you mean s3://bucket/a/b.csv?"],
  ["https://s3.us-east-1.amazonaws.com/bucket/key", "did you mean s3://bucket/key?"],
  ["arn:aws:s3:::bucket/key", "did you mean s3://bucket/key?"],
  ["file:/srv/x", "did you mean file:///srv/x?"],
  ["file:relative/x", 'did you mean the path "relative/x"?'],
  ["gs://b/x", "s3://b/x with AWS_ENDPOINT_URL=https://storage.googleapis.com"],
];

Deno.test("parseUri: a mistyped store URI names the input and the URI meant", () => {
  for (const [uri, hint] of MEANT) {
    const e = assertThrows(() => parseUri(uri), InvalidInputError);
    assertStringIncludes(e.message, uri);
    assertStringIncludes(e.message, hint);
  }
  assertStringIncludes(
    assertThrows(() => parseUri("s3:///x"), InvalidInputError).message,
    "names no bucket",
  );
  if (Deno.build.os !== "windows") {
    assertStringIncludes(
      assertThrows(() => parseUri("C:\\data"), InvalidInputError).message,
      "is a Windows path",
    );
  }
  // Valid spellings, and the explicit local escapes, are unchanged.
  assertEquals(parseUri("S3://b/x"), { scheme: "s3", bucket: "b", key: "x" });
  assertEquals(parseUri("s3://b/x"), { scheme: "s3", bucket: "b", key: "x" });
  assertEquals(parseUri("./s3//b/x"), { scheme: "local", path: "./s3//b/x" });
  assertEquals(parseUri("./C:\\data"), { scheme: "local", path: "./C:\\data" });
  assertEquals(parseUri("data/x.csv"), { scheme: "local", path: "data/x.csv" });
});

Deno.test("openStore, --bucket and prefill items give the same hint", async () => {
  for (const [uri, hint] of MEANT) {
    const e = await assertRejects(() => openStore(uri), InvalidInputError);
    assertStringIncludes(e.message, hint);
    assertStringIncludes(
      assertThrows(() => normalizeBucket(uri, "--bucket"), InvalidInputError).message,
      hint,
    );
    assertStringIncludes(
      assertThrows(() => parsePrefillItem(uri), InvalidInputError).message,
      hint,
    );
  }
  assertEquals(normalizeBucket("S3://b/p", "--bucket"), "s3://b/p");
});

Deno.test("vc mirror: a mistyped side is named with the URI meant", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-uri-mistyped-" });
  try {
    const local = join(dir, "data");
    await Deno.mkdir(local);
    await Deno.writeTextFile(join(local, "a.txt"), "a");
    const env = { HOME: dir, VC_CACHE_DIR: join(dir, "cache") };
    for (const [uri, hint] of MEANT) {
      for (const args of [[local, uri], [uri, local]]) {
        const io = memoryIo({ cwd: dir, env });
        assertEquals(await runCli(["mirror", ...args], io), 2, io.stderr());
        assertStringIncludes(io.stderr(), hint);
      }
    }
    // Nothing was made for the mistyped targets (`s3//b/x` is no directory).
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["data"]);
    const io = memoryIo({ cwd: dir, env });
    const store = pathToFileURL(join(dir, "store")).href.replace(/^file:/, "FILE:");
    assertEquals(await runCli(["mirror", "-q", local, store], io), 0, io.stderr());
    assertEquals(await Deno.readTextFile(join(dir, "store", "a.txt")), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
