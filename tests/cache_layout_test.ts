import { assert, assertEquals, assertThrows } from "./assert.ts";
import {
  assertNoLinks,
  CacheLayout,
  encodeKey,
  encodeSegment,
  MAX_SEGMENT_BYTES,
  s3Namespace,
} from "../src/cache/layout.ts";
import { InvalidInputError } from "../src/errors.ts";
import { sha256Hex } from "../src/hash.ts";
import { createHash } from "node:crypto";
import { dirname, join, resolve, sep } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { windowsNameProblem } from "../src/file_names.ts";
import { withFsPlatform } from "../src/fs_platform.ts";

const long = "x".repeat(300);
const HOSTILE_KEYS: string[] = [
  "plain.csv",
  "a/b/c.csv",
  "..",
  "../escape.txt",
  "../../../../etc/passwd",
  "a/../../b",
  ".",
  "./a",
  "a/./b",
  "a//b",
  "/abs",
  "//double-abs",
  "/",
  "a/",
  "a\\b",
  "..\\..\\windows",
  "C:\\evil",
  "nul\0byte",
  "tab\tand\nnewline\x7f",
  "CON",
  "con",
  "CON.txt",
  "con.tar.gz",
  "Nul",
  "prn.csv",
  "AUX",
  "COM1",
  "com9.log",
  "LPT1",
  "lpt5.txt",
  "CONSOLE", // not reserved
  "COM10", // not reserved
  "CON .txt",
  '<>:"|?*',
  "what?.csv",
  "trailing.",
  "trailing ",
  "trailing. .",
  "%",
  "%25",
  "%2E%2E",
  "%_",
  "a%2Fb",
  "100%.csv",
  "space inside.csv",
  "unicode-é-ü-日本.csv",
  "emoji-🎉.json",
  long,
  long + ".csv",
  long + "y.csv",
  "é".repeat(150) + ".parquet",
  ".hidden",
  ".x.csv.vc-tmp-abc123", // looks like a temp file
  "dir/.y.vc-tmp-zz",
  ".meta",
  ".locks",
];

Deno.test("encodeSegment leaves ordinary names alone", () => {
  for (const name of ["bar.csv", "data-2024_01.tar.gz", "é.txt", "CONSOLE", ".hidden"]) {
    assertEquals(encodeSegment(name), name);
  }
  assertEquals(encodeKey("foo/bar.csv"), "foo/bar.csv");
});

Deno.test("encodeSegment escapes what Windows and POSIX cannot hold", () => {
  assertEquals(encodeSegment(""), "%_");
  assertEquals(encodeSegment("."), "%2E");
  assertEquals(encodeSegment(".."), "%2E%2E");
  assertEquals(encodeSegment("a\\b"), "a%5Cb");
  assertEquals(encodeSegment("x\0y"), "x%00y");
  assertEquals(encodeSegment("CON"), "%43ON");
  assertEquals(encodeSegment("con.tar.gz"), "%63on.tar.gz");
  assertEquals(encodeSegment("lpt1.txt"), "%6Cpt1.txt");
  assertEquals(encodeSegment("a?b*c"), "a%3Fb%2Ac");
  assertEquals(encodeSegment("end. "), "end%2E%20");
  assertEquals(encodeSegment("50%"), "50%25");
  assertEquals(encodeSegment(".x.csv.vc-tmp-abc"), "%2Ex.csv.vc-tmp-abc");
});

// The cache's names must be Windows file names whatever the key: one list of
// device names (src/file_names.ts) decides, so the console's input and output
// (`CONIN$`, `conout$.log`) were once cached under their own names there.
Deno.test("encoded segments are Windows file names, device names of every kind included", async () => {
  const devices = ["CONIN$", "conout$.log", "conin$ .txt", "COM0", "lpt0.csv", "Nul", "aux. "];
  for (const caseInsensitive of [false, true]) {
    await withFsPlatform({ caseInsensitive }, () => {
      for (const key of [...HOSTILE_KEYS, ...devices]) {
        for (const segment of encodeKey(key).split("/")) {
          assertEquals(
            windowsNameProblem(segment),
            undefined,
            `${JSON.stringify(key)} → ${segment}`,
          );
        }
      }
    });
  }
  assertEquals(encodeSegment("CONIN$"), "%43ONIN$");
  assertEquals(encodeSegment("conout$.log"), "%63onout$.log");
});

Deno.test("long segments are truncated with a hash, keeping the extension", () => {
  const a = encodeSegment("x".repeat(300) + ".csv");
  const b = encodeSegment("x".repeat(301) + ".csv");
  assert(new TextEncoder().encode(a).length <= MAX_SEGMENT_BYTES, a);
  assert(a.endsWith(".csv"), a);
  assert(a !== b);
  const multi = encodeSegment("é".repeat(150) + ".parquet");
  assert(new TextEncoder().encode(multi).length <= MAX_SEGMENT_BYTES);
  assert(multi.endsWith(".parquet") && multi.startsWith("é"));
  // Cut before an escape, never inside one.
  const escaped = encodeSegment("%".repeat(100));
  assert(!/%[0-9A-F]?%~/.test(escaped), escaped);
});

Deno.test("long segments hash with SHA-256, so caches of earlier versions keep their paths", () => {
  for (const original of ["x".repeat(300) + ".csv", "é🎉%".repeat(80), "a".repeat(201)]) {
    const hash = createHash("sha256").update(original).digest("hex").slice(0, 16);
    assert(encodeSegment(original).includes(`%~${hash}`), original);
  }
  for (let n = 0; n < 200; n++) {
    const text = "ab\u00e9\u{1F389}".repeat(n);
    assertEquals(sha256Hex(text), createHash("sha256").update(text).digest("hex"));
  }
});

Deno.test("hostile keys map injectively and stay inside the cache dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-layout-" });
  try {
    const layout = new CacheLayout(dir);
    const paths = new Map<string, string>();
    const metas = new Set<string>();
    const root = resolve(dir) + sep;
    for (const key of HOSTILE_KEYS) {
      const loc = layout.locate({ scheme: "s3", bucket: "b", key });
      assert(resolve(loc.dataPath).startsWith(root), `${JSON.stringify(key)} → ${loc.dataPath}`);
      assert(resolve(loc.metaPath).startsWith(resolve(dir, ".meta") + sep), loc.metaPath);
      for (const segment of loc.relPath.split("/")) {
        assert(segment !== "" && segment !== "." && segment !== "..", `${key}: ${loc.relPath}`);
        // deno-lint-ignore no-control-regex
        assert(!/[\x00-\x1f<>:"|?*\\]/.test(segment), `${key}: ${segment}`);
        assert(!/[. ]$/.test(segment), `${key}: ${segment}`);
        assert(new TextEncoder().encode(segment).length <= MAX_SEGMENT_BYTES);
      }
      const previous = paths.get(loc.dataPath);
      assert(
        previous === undefined,
        `${JSON.stringify(key)} and ${JSON.stringify(previous)} collide`,
      );
      paths.set(loc.dataPath, key);
      metas.add(loc.metaPath);
    }
    assertEquals(metas.size, HOSTILE_KEYS.length);
    // The filesystem agrees: every path can be created, and they are distinct files.
    // ("a" as a file and "a/…" as a directory cannot coexist: create files only for
    // leaves that are not a prefix of another key's directory.)
    let created = 0;
    for (const [path, key] of paths) {
      const isDirOfOther = [...paths.keys()].some((p) => p.startsWith(path + sep));
      if (isDirOfOther) continue;
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeTextFile(path, key, { createNew: true });
      created++;
    }
    for (const [path, key] of paths) {
      if ([...paths.keys()].some((p) => p.startsWith(path + sep))) continue;
      assertEquals(await Deno.readTextFile(path), key);
    }
    assert(created > HOSTILE_KEYS.length - 5, `created ${created}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("layout: namespaces per endpoint, file URIs, extension preserved", () => {
  assertEquals(s3Namespace(undefined), "s3");
  assertEquals(s3Namespace("http://127.0.0.1:9000"), "s3@127.0.0.1_9000");
  assertEquals(s3Namespace("http://[::1]:9000"), "s3@___1__9000");
  assertEquals(s3Namespace("minio.local"), "s3@minio.local_443");
  const aws = new CacheLayout("/c");
  const minio = new CacheLayout("/c", { endpoint: "http://localhost:9000" });
  const a = aws.locate({ scheme: "s3", bucket: "b", key: "x/y.tar.gz" });
  const m = minio.locate({ scheme: "s3", bucket: "b", key: "x/y.tar.gz" });
  assertEquals(a.dataPath, "/c/s3/b/x/y.tar.gz");
  assertEquals(m.dataPath, "/c/s3@localhost_9000/b/x/y.tar.gz");
  assertEquals(a.metaPath, "/c/.meta/s3/b/x/y.tar.gz%.json");
  assertEquals(a.storeRoot, "s3://b");
  assertEquals(a.key, "x/y.tar.gz");
  assertEquals(a.uri, "s3://b/x/y.tar.gz");
  const f = aws.locate({ scheme: "file", path: "/srv/assets/a b.csv" });
  assertEquals(f.dataPath, "/c/file/srv/assets/a b.csv");
  assertEquals(f.storeRoot, "file:///srv/assets");
  assertEquals(f.key, "a b.csv");
  assertEquals(f.uri, "file:///srv/assets/a%20b.csv");
  const w = new CacheLayout("/c", { os: "windows" });
  assertEquals(w.locate({ scheme: "file", path: "C:\\data\\x.csv" }).relPath, "file/C/data/x.csv");
  assertEquals(
    w.locate({ scheme: "file", path: "\\\\server\\share\\x.csv" }).relPath,
    "file/UNC/server/share/x.csv",
  );
  assertThrows(
    () => aws.locate({ scheme: "s3", bucket: "b", key: "" }),
    InvalidInputError,
    "s3://b/",
  );
  assertThrows(
    () => aws.assertInside("/c/../etc/passwd"),
    InvalidInputError,
    "outside the cache dir /c",
  );
  assertThrows(() => aws.assertInside("/c"), InvalidInputError);
  aws.assertInside("/c/s3/b/k");
  // Bucket names are segments too (Windows-reserved "con" is a valid S3 bucket name).
  assertEquals(aws.locate({ scheme: "s3", bucket: "con", key: "k" }).relPath, "s3/%63on/k");
});

Deno.test("records never collide with record directories: keys x and x.json/y both cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-layout-" });
  try {
    await Deno.mkdir(join(dir, "src", "x.json"), { recursive: true });
    await Deno.writeTextFile(join(dir, "src", "x"), "plain x");
    await Deno.writeTextFile(join(dir, "src", "x.json", "y"), "nested y");
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
    });
    const x = await cache.cache(`file://${dir}/src/x`);
    const y = await cache.cache(`file://${dir}/src/x.json/y`);
    assertEquals(await Deno.readTextFile(x), "plain x");
    assertEquals(await Deno.readTextFile(y), "nested y");
    assertEquals((await cache.ls()).length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("assertNoLinks tells whether the path exists, so a reader skips a second failing lstat", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/a/b`, { recursive: true });
    await Deno.writeTextFile(`${dir}/a/b/f.txt`, "x");
    assertEquals(assertNoLinks(dir, `${dir}/a/b/f.txt`), true);
    assertEquals(assertNoLinks(dir, `${dir}/a/b`), true);
    assertEquals(assertNoLinks(dir, `${dir}/a/b/missing.txt`), false);
    assertEquals(assertNoLinks(dir, `${dir}/a/missing/f.txt`), false);
    // A file where a directory should be: the path cannot exist.
    assertEquals(assertNoLinks(dir, `${dir}/a/b/f.txt/under`), false);
    const known = new Set<string>();
    assertEquals(assertNoLinks(dir, `${dir}/a/b/f.txt`, known), true);
    // Known directories are not looked at again; one removed since is found missing below.
    await Deno.remove(`${dir}/a/b`, { recursive: true });
    assertEquals(assertNoLinks(dir, `${dir}/a/b/f.txt`, known), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "assertInside refuses what resolves outside the dir or to the dir itself, in any spelling",
  ignore: Deno.build.os === "windows", // POSIX spellings
  fn() {
    const layout = new CacheLayout("/c");
    for (
      const p of [
        "/c",
        "/c/",
        "/c/.",
        "/c//",
        "/c/..",
        "/c/../c",
        "/c/a/../..",
        "/c/./../etc",
        "/cc/x",
        "/etc/passwd",
      ]
    ) {
      assertThrows(() => layout.assertInside(p), InvalidInputError, "outside the cache dir /c");
    }
    for (const p of ["/c/a", "/c//a", "/c/./a", "/c/a/", "/c/a/b/../c", "/c/.a", "/c/..a"]) {
      layout.assertInside(p);
    }
  },
});
