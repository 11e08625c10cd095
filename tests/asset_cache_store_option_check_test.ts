/**
 * `AssetCache`'s `store` option was not looked at until the first download
 * opened a store: a misspelt key (`{ s3: { regin } }`, `{ file: { sidecar } }`)
 * was refused only then, named as `openStore`'s or `S3Store`'s option, and
 * never while the cache was warm (the option silently unused), a value of the
 * wrong type only then or not at all, and `{ s3: { endpoint: 9000 } }` was a
 * bare `TypeError` (`value.trim is not a function`). They are refused where
 * they are given, naming `AssetCache store`, the key and the one meant, as
 * the README says of every options bag.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError } from "../mod.ts";
import { S3Store } from "../src/store/s3.ts";

Deno.test("AssetCache refuses a misspelt or mistyped store option where it is given", () => {
  const make = (store: unknown) =>
    new AssetCache({
      cacheDir: "/tmp/vc-store-option-unused",
      configPath: false,
      env: {},
      store: store as never,
    });
  const cases: Array<[unknown, string]> = [
    ["s3", 'the options of AssetCache store must be an object, got "s3"'],
    [{ s4: {} }, 'AssetCache store: unknown option "s4"; did you mean "s3"?'],
    [
      { s3: { regin: "eu-west-1" } },
      'AssetCache store.s3: unknown option "regin"; did you mean "region"?',
    ],
    [{ s3: "eu-west-1" }, 'the options of AssetCache store.s3 must be an object, got "eu-west-1"'],
    [
      { file: { sidecar: "read-only" } },
      'AssetCache store.file: unknown option "sidecar"; did you mean "sidecars"?',
    ],
    [
      { s3: { endpoint: 9000 } },
      "AssetCache store.s3: the option endpoint must be a string, got 9000",
    ],
    [{ s3: { region: 1 } }, "AssetCache store.s3: the option region must be a string, got 1"],
    [
      { s3: { forcePathStyle: "true" } },
      'AssetCache store.s3: the option forcePathStyle must be true or false, got "true"',
    ],
    [
      { s3: { maxAttempts: "3" } },
      'AssetCache store.s3: the option maxAttempts must be a positive integer, got "3"',
    ],
  ];
  for (const [store, message] of cases) {
    assertThrows(() => make(store), InvalidInputError, message);
  }
  // What it takes is still taken.
  const cache = make({
    s3: { endpoint: "http://127.0.0.1:9000", region: "eu-west-1", maxAttempts: 2 },
    file: { sidecars: "read-only" },
  });
  assertEquals(
    cache.localPath("s3://b/k.csv"),
    "/tmp/vc-store-option-unused/s3@127.0.0.1_9000/b/k.csv",
  );
});

Deno.test("S3Store refuses an endpoint or a part size of the wrong type, naming it", () => {
  assertThrows(
    () => new S3Store({ bucket: "b", endpoint: 9000 as never }),
    InvalidInputError,
    "S3Store: the option endpoint must be a string, got 9000",
  );
  assertThrows(
    () => new S3Store({ bucket: "b", partSize: 0 }),
    InvalidInputError,
    "S3Store: the option partSize must be a positive integer, got 0",
  );
});
