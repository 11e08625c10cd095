/**
 * Keys with a `.` or `..` segment (`aws s3api put-object --key 'z/../w'`
 * writes them) cannot be addressed by URL, which fetch normalizes (`z/../w`
 * would name `w`), but S3Store deletes them by name in a DeleteObjects body:
 * so `vc mirror --delete` removes them as its dry run says, where it failed
 * on every run, and the key they would normalize to is untouched.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { S3Store } from "../src/store/s3.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";
import { InvalidInputError } from "../src/errors.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

Deno.test("S3Store.delete removes keys with . and .. segments by name, alone or with others", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials,
  });
  for (const k of ["w", "r", "q/r", "z/../w", "q/./r", "./x", "k"]) await s3.putObject("b", k, k);
  await store.delete(["z/../w"]);
  assertEquals(s3.listKeys("b").sort(), ["./x", "k", "q/./r", "q/r", "r", "w"]);
  await store.delete(["q/./r", "./x", "k"]);
  assertEquals(s3.listKeys("b").sort(), ["q/r", "r", "w"]);
  // A key XML cannot carry would go by URL, where its dot segment names
  // another key: the call is refused, naming it, before any request.
  await s3.putObject("b", "d/../k\u0001", "x");
  await s3.putObject("b", "k\u0001", "x");
  await assertRejects(
    () => store.delete(["d/../k\u0001", "w"]),
    InvalidInputError,
    '"d/../k\\u0001"',
  );
  assertEquals(s3.listKeys("b").sort(), ["d/../k\u0001", "k\u0001", "q/r", "r", "w"]);
  // ifMatch is a plain DELETE by URL: such a key is still refused, naming it.
  await assertRejects(
    () => store.delete(["z/../w"], { ifMatch: "abc" }),
    InvalidInputError,
    '"z/../w"',
  );
});

Deno.test("mirror --delete removes keys with . and .. segments, as its dry run plans", async () => {
  await using w = await tempDir();
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using store = new S3Store({
    bucket: "b",
    endpoint: s3.url,
    region: "us-east-1",
    credentials,
  });
  for (const k of ["p/keep", "p/z/../keep", "p/q/./r", "p/a"]) await s3.putObject("b", k, "x");
  await writeTree(join(w.dir, "src"), { keep: "x" });
  const options = {
    sources: [join(w.dir, "src")],
    target: store,
    targetPrefix: "p",
    delete: true,
    statePath: join(w.dir, "s.db"),
  };
  const dry = await mirror({ ...options, dryRun: true });
  assertEquals(dry.deletedKeys.sort(), ["a", "q/./r", "z/../keep"]);
  const real = await mirror(options);
  assertEquals(real.failed, []);
  assertEquals(real.deletedKeys.sort(), dry.deletedKeys.sort());
  assertEquals(s3.listKeys("b"), ["p/keep"]);
});
