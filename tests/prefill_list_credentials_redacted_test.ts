import { parseUri } from "../src/uri.ts";
import { parsePrefillItem } from "../src/prefill/list_file.ts";
import { normalizeVersionedPath } from "../src/versioned/naming.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

// Credentials pasted into a location (a list line, a URI argument) must never
// reach a message: a CI log keeps them.
const SECRET = "hunter2SECRET";
const HOSTILE = [
  `s3://AKIAEXAMPLE:${SECRET}@b/k.bin`,
  `S3://AKIAEXAMPLE:${SECRET}@b`,
  `https://user:${SECRET}@example.com/x.bin`,
  `https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA&X-Amz-Signature=${SECRET}`,
  `gs://user:${SECRET}@b/x`,
  `file://user:${SECRET}@host/x`,
  `s3:/user:${SECRET}@b/x`,
];

Deno.test("parseUri / parsePrefillItem / normalizeVersionedPath: no password or query value in the error", () => {
  for (const text of HOSTILE) {
    for (const parse of [parseUri, parsePrefillItem, normalizeVersionedPath]) {
      let message = "";
      try {
        parse(text);
      } catch (e) {
        message = (e as Error).message;
      }
      assertEquals(message.includes(SECRET), false, `${parse.name}(${text}): ${message}`);
    }
  }
  const e = assertThrows(() => parseUri(`s3://AKIAEXAMPLE:${SECRET}@b/k`));
  assertStringIncludes((e as Error).message, "s3://AKIAEXAMPLE:***@b/k: an s3:// URI holds no");
  const p = assertThrows(() => normalizeVersionedPath(`s3://u:${SECRET}@b/x`));
  assertStringIncludes((p as Error).message, "it is a URI, not a path of the manifest");
});

Deno.test("cli prefill: a list line with credentials is refused without printing them", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("list.txt", HOSTILE.join("\n") + "\n");
  for (const text of HOSTILE) {
    await ws.write("list.txt", text + "\n");
    // --verbose prints the error's causes too.
    const r = await ws.vc("prefill", "--list", "list.txt", "--json", "--verbose");
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stderr.includes(SECRET), false, r.stderr);
    assertEquals(r.stdout.includes(SECRET), false, r.stdout);
  }
  await ws.write("list.txt", HOSTILE.join("\n") + "\n");
  const r = await ws.vc("prefill", "--list", "list.txt");
  assertEquals(r.code, 1, r.stderr);
  assertEquals(r.stderr.includes(SECRET), false, r.stderr);
  assertStringIncludes(r.stderr, "list.txt:1: s3://AKIAEXAMPLE:***@b/k.bin");
});

Deno.test("normalizeBucket: a bucket with credentials is refused without printing them", async () => {
  const { normalizeBucket } = await import("../src/config.ts");
  for (
    const given of [`s3://KEY:${SECRET}@b`, `S3://KEY:${SECRET}@b/pre`, `https://u:${SECRET}@h/b`]
  ) {
    const e = assertThrows(() => normalizeBucket(given, "VC_BUCKET"));
    assertEquals((e as Error).message.includes(SECRET), false, (e as Error).message);
    assertStringIncludes((e as Error).message, ":***@");
  }
  assertEquals(normalizeBucket("s3://b/pre@x", "VC_BUCKET"), "s3://b/pre@x");
});

Deno.test("cli prefill: VC_BUCKET with credentials is refused without printing them", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  const r = await ws.run(["prefill"], { VC_BUCKET: `s3://KEY:${SECRET}@b` });
  assertEquals(r.stderr.includes(SECRET), false, r.stderr);
  assertStringIncludes(r.stderr, "s3://KEY:***@b");
});

Deno.test("cli config: VC_IMMUTABLE_BUCKETS with credentials is refused by name, without printing them", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config"], { VC_IMMUTABLE_BUCKETS: `s3://ok,s3://KEY:${SECRET}@b` });
  assertEquals(r.code, 1, r.stderr);
  assertEquals(r.stdout.includes(SECRET) || r.stderr.includes(SECRET), false, r.stdout + r.stderr);
  assertStringIncludes(r.stderr, "VC_IMMUTABLE_BUCKETS: s3://KEY:***@b");
});
