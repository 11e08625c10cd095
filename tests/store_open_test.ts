import { moduleGraph, staticallyReachable } from "./module_graph.ts";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { openStore } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("openStore: file:// URIs and plain paths open an FsStore", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-open-" });
  try {
    const url = pathToFileURL(dir).href;
    const byUri = await openStore(url);
    assert(byUri instanceof FsStore);
    assertEquals(byUri.url, url);
    await byUri.put("x/y.txt", new TextEncoder().encode("hi"));

    const byPath = await openStore(dir);
    assert(byPath instanceof FsStore);
    assertEquals(byPath.url, url);
    assertEquals((await byPath.head("x/y.txt"))?.size, 2);

    const withSpace = join(dir, "with space");
    const encoded = await openStore(pathToFileURL(withSpace).href);
    assertEquals((encoded as FsStore).root, withSpace, "percent-escapes in file URIs are decoded");

    // Relative paths are resolved against the working directory (nothing is created).
    const relative = await openStore("some/relative/dir");
    assertEquals((relative as FsStore).root, resolve("some/relative/dir"));
    await Promise.all([byUri.close(), byPath.close(), encoded.close(), relative.close()]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore: s3:// URIs open an S3Store with the URI's bucket and prefix", async () => {
  const { S3Store } = await import("../src/store/s3.ts");
  const s3 = { region: "us-east-1", credentials };
  const withPrefix = await openStore("s3://my-bucket/team/data", { s3 });
  assert(withPrefix instanceof S3Store);
  assertEquals(withPrefix.url, "s3://my-bucket/team/data");
  assertEquals(withPrefix.bucket, "my-bucket");
  assertEquals(withPrefix.prefix, "team/data");
  const bare = await openStore("s3://my-bucket", { s3 });
  assert(bare instanceof S3Store);
  assertEquals(bare.url, "s3://my-bucket");
  assertEquals(bare.prefix, "");
  await Promise.all([withPrefix.close(), bare.close()]);
});

Deno.test("openStore: options.s3 reach the S3Store, and keys are relative to the prefix", async () => {
  await using fake = await startFakeS3();
  await fake.createBucket("open-test");
  const s3 = { endpoint: fake.url, region: "us-east-1", forcePathStyle: true, credentials };
  const prefixed = await openStore("s3://open-test/base/dir", { s3 });
  const whole = await openStore("s3://open-test", { s3 });
  try {
    await prefixed.put("k.txt", new TextEncoder().encode("hello"));
    assertEquals((await whole.head("base/dir/k.txt"))?.size, 5);
    const keys = [];
    for await (const info of prefixed.list("")) keys.push(info.key);
    assertEquals(keys, ["k.txt"]);
  } finally {
    await Promise.all([prefixed.close(), whole.close()]);
  }
});

Deno.test("openStore: unknown schemes and malformed URIs throw InvalidInputError naming the URI", async () => {
  for (const uri of ["http://example.com/x", "gs://bucket/key", "ftp://host/dir"]) {
    await assertRejects(() => openStore(uri), InvalidInputError, uri);
  }
  await assertRejects(() => openStore("s3://bad bucket/x"), InvalidInputError, "bad bucket");
  await assertRejects(() => openStore(""), InvalidInputError);
  // Roots that name no bucket or directory, or another prefix than they say (issue 7 item 2).
  for (const uri of ["s3://", "file://", "s3:/assets", "s3://b/p/../x", "s3://b/./x"]) {
    await assertRejects(
      () => openStore(uri),
      InvalidInputError,
      uri.startsWith("s3://b/") ? "s3://b" : uri,
    );
  }
});

Deno.test("openStore: only an s3:// root loads the S3 implementation and the AWS SDK", async () => {
  // The module graph as Deno sees it: static imports are loaded (and
  // evaluated) up front, dynamic ones only when executed. The root module
  // (`@vc/vc`) must not load S3 eagerly; the store index (`@vc/vc/store`)
  // exports S3Store and so does, by design.
  for (const entry of ["../src/store/open.ts", "../mod.ts", "../src/store/fs.ts"]) {
    const root = new URL(entry, import.meta.url).href;
    const graph = await moduleGraph(root);
    const eager = staticallyReachable(graph, [root]);
    const offenders = [...eager].filter((s) =>
      s.endsWith("/src/store/s3.ts") || s.startsWith("npm:")
    );
    assertEquals(offenders, [], `${entry} statically loads the S3 implementation`);
    if (entry.endsWith("open.ts")) {
      assert(
        graph.modules.some((m) => m.specifier.endsWith("/src/store/s3.ts")),
        "s3.ts is still reachable (dynamically), so this check is meaningful",
      );
    }
  }
});
