/**
 * One rule for keys with a `.` or `..` segment (`a/../b`, `./a`, `a/.`):
 * S3 keeps them as written and other tools make them, but a URL or a file
 * path resolves them into another key. So every store refuses to read or
 * write one (`get`, `head`, `put`, `copy`) with one message naming the key
 * and what it would be taken for (`MemoryStore` accepted them, so code
 * tested against it failed against S3), an S3 listing still shows it and
 * `delete` removes it by name; the asset cache refuses such a URI before
 * writing anything; a store → local mirror reports it and writes nothing
 * outside its target; and a store prefix with such a segment is refused by
 * `vc mirror` as `openStore` refuses it (the mirror quietly read
 * `s3://b/p/./q` as `p/q`). Against MemoryStore, FsStore, the fake S3 and,
 * when `VC_TEST_S3_ENDPOINT` is set (`deno task test:compat`), moto.
 */
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { InvalidInputError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { openStore } from "../src/store/open.ts";
import type { S3Store } from "../src/store/s3.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { listKeys } from "../src/testing/store_contract.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { normalizeBucket } from "../src/config.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { withS3Client } from "./s3_test_client.ts";
import { BACKENDS, S3_ENDPOINT, tempDir, writeTree } from "./mirror_helpers.ts";
import { testS3Options } from "./versioned_helpers.ts";

const DOT_KEYS = ["a/./b", "a/../b", "..", ".", "./a", "a/.", "a/.."];
const bytes = (s: string) => new TextEncoder().encode(s);

async function assertRefused(what: string, key: string, op: () => Promise<unknown>) {
  const e = await assertRejects(op, InvalidInputError);
  assertStringIncludes(e.message, `key ${JSON.stringify(key)} in `, what);
  assertStringIncludes(e.message, "path segment", what);
  assertStringIncludes(e.message, "would take it for", what);
}

async function checkStore(store: ObjectStore): Promise<void> {
  await store.put("a/b", bytes("a/b"));
  await store.put("b", bytes("b"));
  for (const key of DOT_KEYS) {
    await assertRefused(`put ${key}`, key, () => store.put(key, bytes("x")));
    await assertRefused(`head ${key}`, key, () => store.head(key));
    await assertRefused(`get ${key}`, key, () => store.get(key));
    await assertRefused(`copy to ${key}`, key, () => store.copy("b", key));
    await assertRefused(`copy from ${key}`, key, () => store.copy(key, "c"));
  }
  // Dots inside a name are plain characters.
  await store.put("a/.b", bytes("dot"));
  await store.put("a/..b", bytes("dots"));
  assertEquals((await store.head("a/..b"))?.size, 4);
  assertEquals(await listKeys(store, ""), ["a/..b", "a/.b", "a/b", "b"]);
  assertEquals(await new Response((await store.get("b")).body).text(), "b");
}

Deno.test("MemoryStore refuses get, head, put and copy of a key with a . or .. segment, as S3Store does", async () => {
  await using store = new MemoryStore();
  await checkStore(store);
  // Named in a delete, such a key is deleted (never there), as S3Store's
  // DeleteObjects body deletes it; a conditional delete goes by URL: refused.
  await store.delete(["a/../b", "./a"]);
  assertEquals((await store.head("b"))?.size, 1);
  await assertRefused("delete ifMatch", "a/../b", () => store.delete(["a/../b"], { ifMatch: "*" }));
  // A seeded map stands for a bucket another tool wrote: listed, refused
  // to read, deleted by name, as on S3.
  const seeded = new MemoryStore();
  await seeded.put("b", bytes("b"));
  seeded.objects.set("a/../b", seeded.objects.get("b")!);
  assertEquals(await listKeys(seeded, ""), ["a/../b", "b"]);
  await assertRefused("get seeded", "a/../b", () => seeded.get("a/../b"));
  await seeded.delete(["a/../b"]);
  assertEquals(await listKeys(seeded, ""), ["b"]);
});

for (const backend of BACKENDS) {
  Deno.test({
    name:
      `${backend.name}: a key with a . or .. segment is refused alike by get, head, put and copy`,
    ignore: backend.ignore,
    async fn() {
      await using b = await backend.make();
      await checkStore(b.store);
    },
  });
}

// Another tool (the aws CLI, an SDK) wrote such keys next to the plain ones.
async function seedS3(endpoint: string, bucket: string, keys: string[]): Promise<void> {
  await withS3Client(endpoint, async (client) => {
    for (const k of keys) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    }
  });
}

for (const backend of BACKENDS.filter((x) => x.name !== "FsStore")) {
  Deno.test({
    name:
      `${backend.name}: a listing shows keys with . or .. segments, delete removes them by name`,
    ignore: backend.ignore,
    async fn() {
      await using b = await backend.make();
      const store = b.store as S3Store;
      const endpoint = b.fake?.url ?? S3_ENDPOINT!;
      await seedS3(endpoint, store.bucket, ["p/a/../b", "p/./c", "p/d/.", "p/b", "p/c"]);
      assertEquals(await listKeys(store, "p/"), ["p/./c", "p/a/../b", "p/b", "p/c", "p/d/."]);
      await assertRefused("get", "p/a/../b", () => store.get("p/a/../b"));
      await store.delete(["p/a/../b", "p/./c", "p/d/."]);
      assertEquals(await listKeys(store, "p/"), ["p/b", "p/c"]);
      assertEquals(await new Response((await store.get("p/b")).body).text(), "p/b");
    },
  });
}

Deno.test("cache(s3://b/p/a/../b) is refused naming the key, and neither it nor p/b is cached", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "p/a/../b", "dot");
    await s3.putObject("b", "p/b", "plain");
    const cache = make();
    for (const uri of ["s3://b/p/a/../b", "s3://b/p/./b", "s3://b/p/b/."]) {
      const e = await assertRejects(() => cache.cache(uri), InvalidInputError);
      assertStringIncludes(e.message, JSON.stringify(uri.slice("s3://b/".length)));
      assertStringIncludes(e.message, 'would take it for "p/b');
    }
    assertEquals(await cache.ls(), []);
    const files: string[] = [];
    for await (const e of Deno.readDir(dir)) if (e.name === "s3") files.push(e.name);
    assertEquals(files, [], "no data directory was made");
    assertEquals(await Deno.readTextFile(await cache.cache("s3://b/p/b")), "plain");
  });
});

Deno.test("mirror store -> local reports keys with . or .. segments and writes nothing outside its target", async () => {
  await using w = await tempDir();
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const k of ["p/ok", "p/../evil", "p/x/../../evil2", "p/./c", "p/d/."]) {
    await s3.putObject("b", k, k);
  }
  const report = await mirror({
    sources: ["s3://b/p"],
    target: join(w.dir, "out"),
    statePath: join(w.dir, "s.db"),
    openStore: (uri) => openStore(uri, testS3Options(s3)),
  });
  assertEquals(report.transferred, 1);
  assertEquals(
    report.failed.map((f) => f.key).sort(),
    ["../evil", "./c", "d/.", "x/../../evil2"],
  );
  for (const f of report.failed) assertStringIncludes(String(f.error), "segment");
  const top: string[] = [];
  for await (const e of Deno.readDir(w.dir)) top.push(e.name);
  assert(!top.some((n) => n.startsWith("evil")), `nothing written beside the target: ${top}`);
  const out: string[] = [];
  for await (const e of Deno.readDir(join(w.dir, "out"))) out.push(e.name);
  assertEquals(out.filter((n) => !n.startsWith(".")), ["ok"]);
});

Deno.test("mirror refuses a store prefix with a . or .. segment as openStore does, and uploads nothing", async () => {
  await using w = await tempDir();
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await writeTree(join(w.dir, "src"), { "x.txt": "x" });
  const open = (uri: string) => openStore(uri, testS3Options(s3));
  for (const target of ["s3://b/q/./r", "s3://b/./q", "s3://b/q/.", "s3://b/q/../r"]) {
    const opened = await assertRejects(() => open(target), InvalidInputError);
    const mirrored = await assertRejects(
      () =>
        mirror({
          sources: [join(w.dir, "src")],
          target,
          statePath: join(w.dir, "s.db"),
          openStore: open,
        }),
      InvalidInputError,
    );
    assertEquals(mirrored.message, opened.message, target);
    assertStringIncludes(mirrored.message, "prefix");
  }
  // The same rule for --target-prefix and a store source's --source-prefix.
  for (const targetPrefix of ["./t", "t/.", "t/../u"]) {
    const e = await assertRejects(
      () =>
        mirror({
          sources: [join(w.dir, "src")],
          target: "s3://b",
          targetPrefix,
          statePath: join(w.dir, "s.db"),
          openStore: open,
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, `prefix ${JSON.stringify(targetPrefix)} has a`);
  }
  assertEquals(s3.listKeys("b"), []);
});

Deno.test("a bucket setting (--bucket, VC_BUCKET) with a . or .. prefix segment is refused in the same words", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  for (const uri of ["s3://b/q/./r", "s3://b/q/../r"]) {
    const opened = await assertRejects(() => openStore(uri, testS3Options(s3)), InvalidInputError);
    const e = assertThrows(() => normalizeBucket(uri, "--bucket"), InvalidInputError);
    assertEquals(e.message, `--bucket ${JSON.stringify(uri)} is not a bucket: ${opened.message}`);
  }
});
