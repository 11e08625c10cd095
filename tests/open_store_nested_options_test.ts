/**
 * `openStore`'s `s3` and `file` options are checked as `AssetCache`'s
 * `store` option is (`checkStoreOptions`), whatever the root: a string given
 * as `s3` was spread into `S3Store`'s options one character a key, refused
 * as `unknown option "0"`, and `{ s3: { regin } }` given with a `file://`
 * root (a script that opens either, from a setting) went unseen until the
 * setting named an `s3://` root.
 */
import { assertRejects } from "./assert.ts";
import { InvalidInputError, openStore } from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("openStore: an s3 option that is not an object is refused as such", async () => {
  await assertRejects(
    () => openStore("s3://bucket", { s3: "eu-west-1" } as Any),
    InvalidInputError,
    'the options of openStore.s3 must be an object, got "eu-west-1"',
  );
});

Deno.test("openStore: a misspelt s3 option is refused with a file:// root too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_open_store_options_" });
  try {
    await assertRejects(
      () => openStore(`file://${dir}`, { s3: { regin: "eu-west-1" } } as Any),
      InvalidInputError,
      'openStore.s3: unknown option "regin"; did you mean "region"?',
    );
    await assertRejects(
      () => openStore(`file://${dir}`, { s3: { maxAttempts: 0 } }),
      InvalidInputError,
      "maxAttempts must be",
    );
    // The control: the same root opens with options a store takes.
    await using store = await openStore(`file://${dir}`, { s3: { region: "eu-west-1" } });
    await store.put("k", new Uint8Array(1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
