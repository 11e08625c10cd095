import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { formatUri, isStoreUri, joinUri, parseUri, toStoreUri } from "../src/uri.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("parseUri splits s3 URIs into bucket and key", () => {
  assertEquals(parseUri("s3://b/k/x.csv"), { scheme: "s3", bucket: "b", key: "k/x.csv" });
  assertEquals(parseUri("s3://b"), { scheme: "s3", bucket: "b", key: "" });
  assertEquals(parseUri("S3://b/"), { scheme: "s3", bucket: "b", key: "" });
  // Keys are kept verbatim: hostile keys are the cache layout's job.
  assertEquals(parseUri("s3://b/../x"), { scheme: "s3", bucket: "b", key: "../x" });
});

Deno.test("parseUri handles file URIs and local paths", () => {
  assertEquals(parseUri("file:///srv/a%20b/x.csv"), { scheme: "file", path: "/srv/a b/x.csv" });
  assertEquals(parseUri("data/x.csv"), { scheme: "local", path: "data/x.csv" });
  assertEquals(parseUri("/abs/x.csv"), { scheme: "local", path: "/abs/x.csv" });
});

Deno.test("parseUri rejects bad input with an error naming it", () => {
  assertThrows(() => parseUri(""), InvalidInputError, "empty location");
  assertThrows(() => parseUri("s3://b/a\0b"), InvalidInputError, "NUL");
  assertThrows(() => parseUri("s3:///key"), InvalidInputError, "invalid bucket name");
  assertThrows(() => parseUri("s3://bad bucket/key"), InvalidInputError, "bad bucket");
  assertThrows(() => parseUri("gs://b/k"), InvalidInputError, "gs://b/k");
  assertThrows(() => parseUri("file://remotehost/x"), InvalidInputError, "file://remotehost/x");
});

Deno.test("formatUri, joinUri, isStoreUri and toStoreUri round-trip", () => {
  for (const uri of ["s3://b/k/x.csv", "file:///srv/a%20b/x.csv", "rel/x"]) {
    assertEquals(formatUri(parseUri(uri)), uri);
  }
  assertEquals(joinUri("s3://b/p/", "x"), "s3://b/p/x");
  // A leading "/" is part of an S3 key: `/x` and `x` are two objects.
  assertEquals(joinUri("s3://b/p/", "/x"), "s3://b/p//x");
  assertEquals(parseUri(joinUri("s3://b", "/x")), { scheme: "s3", bucket: "b", key: "/x" });
  assertEquals(joinUri("file:///d", "x/y"), "file:///d/x/y");
  assertEquals(isStoreUri("file:///x"), true);
  assertEquals(isStoreUri("C:\\x"), false);
  assertEquals(toStoreUri("/srv/a b"), "file:///srv/a%20b");
  assertEquals(toStoreUri("s3://b"), "s3://b");
});

Deno.test("joinUri encodes file: keys so parseUri returns the same key", () => {
  for (const key of ["r%41.txt", "what?.txt", "a#b/c d.csv", "é/ü.bin", "plain/x.1.0.0.csv"]) {
    const parsed = parseUri(joinUri("file:///srv/bucket", key));
    assertEquals(parsed, { scheme: "file", path: `/srv/bucket/${key}` });
  }
  // S3 URIs keep the key verbatim.
  assertEquals(parseUri(joinUri("s3://b/p", "r%41?.txt")), {
    scheme: "s3",
    bucket: "b",
    key: "p/r%41?.txt",
  });
});

Deno.test("parseUri: locations that name no bucket or directory are errors naming them", () => {
  for (
    const [bad, why] of [
      ["s3://", "invalid bucket name"],
      ["s3:///x", "invalid bucket name"],
      ["file://", "names no directory"],
      ["file:///", "names no directory"],
      ["s3:/b/x", "malformed location"],
      ["S3:b", "malformed location"],
      ["http:x", "malformed location"],
      ["http://example.com/b", 'unsupported scheme "http"'],
    ] as const
  ) {
    assertThrows(() => parseUri(bad), InvalidInputError, why);
    assertThrows(() => parseUri(bad), InvalidInputError, bad);
  }
  // Still fine: S3 keys with dots inside names, relative paths with colons.
  assertEquals(parseUri("s3://b/a..b/.hidden/x.").scheme, "s3");
  assertEquals(parseUri("S3://b/k"), { scheme: "s3", bucket: "b", key: "k" });
  assertEquals(parseUri("notes:v2.txt"), { scheme: "local", path: "notes:v2.txt" });
});

Deno.test(
  {
    name: "parseUri: file://dir/x (two slashes) says the dir is read as a host and shows file:///",
    // Windows takes file://host/share as a UNC path: no error there to check.
    ignore: Deno.build.os === "windows",
  },
  () => {
    const e = assertThrows(() => parseUri("file://data/x.csv"), InvalidInputError);
    assertEquals(
      e.message.endsWith(
        '("data" is read as a host name; a file:// URI holds an absolute path, three slashes: ' +
          "file:///data/x.csv is /data/x.csv)",
      ),
      true,
      e.message,
    );
  },
);

Deno.test("parseUri: a location that is not a string names what it got (a URL: pass its href)", () => {
  assertThrows(
    () => parseUri(new URL("file:///tmp/x.csv") as never),
    InvalidInputError,
    "must be a string (s3://bucket/key, file:///path or a path), got a URL object (file:///tmp/x.csv): pass its href",
  );
  assertThrows(() => parseUri(undefined as never), InvalidInputError, "got undefined");
});

Deno.test("parseUri refuses a file URI with a query or fragment (it would name another directory)", async () => {
  for (
    const [uri, kind, cut] of [
      ["file:///srv/backup#old", "fragment", "file:///srv/backup"],
      ["file:///srv/a b?x/data", "query", "file:///srv/a b"],
      ["file:///srv/d?", "query", "file:///srv/d"],
    ]
  ) {
    const e = assertThrows(() => parseUri(uri!), InvalidInputError);
    assertStringIncludes(e.message, JSON.stringify(uri));
    assertStringIncludes(e.message, `a ${kind}`);
    assertStringIncludes(e.message, `the URI would be ${cut};`);
  }
  // Encoded, they are characters of the name, and come back as such.
  assertEquals(parseUri("file:///srv/a%20b%231%3Fq"), { scheme: "file", path: "/srv/a b#1?q" });
  assertEquals(parseUri(formatUri({ scheme: "file", path: "/srv/x#1?" })), {
    scheme: "file",
    path: "/srv/x#1?",
  });
  // A mirror into such a target writes nothing anywhere.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    await assertRejects(
      () => mirror({ sources: [dir], target: `file://${dir}/out#1`, statePath: join(dir, "s.db") }),
      InvalidInputError,
      "out#1",
    );
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("joinUri and parseEtag: a value that is not a string is named, not a TypeError", async () => {
  const { parseEtag } = await import("../src/hash.ts");
  const A = (x: unknown) => x as never;
  assertThrows(
    () => joinUri(A(undefined), "k"),
    InvalidInputError,
    "joinUri(): the root must be a string, got undefined",
  );
  assertThrows(
    () => joinUri("s3://b", A(5)),
    InvalidInputError,
    "joinUri(): the key must be a string, got 5",
  );
  assertThrows(
    () => parseEtag(A(null)),
    InvalidInputError,
    "parseEtag(): the ETag must be a string, got null",
  );
  assertEquals(parseEtag('"0cc175b9c0f1b6a831c399e269772661"').kind, "md5");
});
