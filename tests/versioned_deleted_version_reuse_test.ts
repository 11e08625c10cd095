/**
 * A version deleted from a bucket with S3 versioning (a delete marker now
 * hides it) is never published again with other bytes: machines that cached
 * the old bytes keep serving them, never asking the bucket again. A bump
 * (`update --minor`) goes on to the next free version and says so; an exact
 * `--version`, and `add`, refuse naming the free one. Publishing the very
 * bytes the key held restores the version. Without versioning (nothing to
 * tell) and where ListObjectVersions is denied (one warning), publishing
 * works as before. On the fake S3, and also on a third-party S3
 * implementation when `VC_TEST_S3_ENDPOINT` is set (`deno task test:compat`
 * points it at moto_server).
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AccessDeniedError, InvalidInputError, StoreError } from "../src/errors.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { keyHeldBefore } from "../src/versioned/version_history.ts";
import { type S3Operation, startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { pinnedOnS3, tempDir, testS3Store } from "./versioned_helpers.ts";

interface Target extends AsyncDisposable {
  s3: { url: string; stats?: { ListObjectVersions: number } };
  bucket: string;
}

/** The fake S3 (bucket `vb`, versioned unless told), or a fresh versioned bucket at `endpoint`. */
async function target(
  endpoint: string | undefined,
  options: { versioned?: boolean; denied?: S3Operation[] } = {},
): Promise<Target> {
  if (endpoint === undefined) {
    const s3 = await startFakeS3({
      buckets: ["vb"],
      ...(options.versioned === false ? {} : { versionedBuckets: ["vb"] }),
      ...(options.denied === undefined ? {} : { deniedOperations: options.denied }),
    });
    return { s3, bucket: "vb", [Symbol.asyncDispose]: () => s3[Symbol.asyncDispose]() };
  }
  const bucket = `vc-reuse-${crypto.randomUUID().slice(0, 8)}`;
  const made = await fetch(`${endpoint}/${bucket}`, { method: "PUT" });
  await made.body?.cancel();
  if (made.status !== 200) throw new Error(`create bucket ${bucket}: status ${made.status}`);
  if (options.versioned !== false) {
    const on = await fetch(`${endpoint}/${bucket}?versioning`, {
      method: "PUT",
      body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    });
    await on.body?.cancel();
    if (on.status !== 200) throw new Error(`enable versioning on ${bucket}: status ${on.status}`);
  }
  return {
    s3: { url: endpoint },
    bucket,
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

interface AfterDelete {
  /** Where the bucket is. */
  t: Target;
  /** The file to publish from. */
  file: string;
  /** The checkout that meets the deleted version. */
  pinned: Awaited<ReturnType<typeof pinnedOnS3>>;
}

/**
 * Runs `fn` on the state a checkout meets after someone removed a bad
 * version: `/t.csv` 1.0.0 ("one") and 1.1.0 ("two") published, then
 * `deleted` (1.1.0 unless told) deleted from the bucket (see
 * {@linkcode target} for `endpoint`, `versioned` and `denied`), with a
 * checkout whose manifest pins `pins` (1.0.0 unless told), and cleans up.
 */
async function withDeletedVersion(
  endpoint: string | undefined,
  options: {
    versioned?: boolean;
    denied?: S3Operation[];
    deleted?: string[];
    pins?: Record<string, string>;
  },
  fn: (state: AfterDelete) => Promise<void>,
): Promise<void> {
  await using t = await target(endpoint, options);
  await using dir = await tempDir("vc_deleted_version_");
  const file = join(dir.path, "t.csv");
  await Deno.mkdir(join(dir.path, "setup"));
  await Deno.mkdir(join(dir.path, "checkout"));
  {
    await using setup = await pinnedOnS3(t.s3, t.bucket, join(dir.path, "setup"), {});
    await Deno.writeTextFile(file, "one\n");
    await setup.vc.add("/t.csv", file);
    await Deno.writeTextFile(file, "two\n");
    await setup.vc.update("/t.csv", file, { minor: true });
  }
  {
    await using store = testS3Store(t.s3, t.bucket);
    await store.delete((options.deleted ?? ["1.1.0"]).map((v) => `t.${v}.csv`));
  }
  const pins = options.pins ?? { "/t.csv": "1.0.0" };
  await using pinned = await pinnedOnS3(t.s3, t.bucket, join(dir.path, "checkout"), pins);
  await fn({ t, file, pinned });
}

/** `update --minor` of `/t.csv` from `file` holding `text`: the version published and the warnings. */
async function bumpWith(
  { file, pinned }: AfterDelete,
  text: string,
): Promise<{ to: string; warnings: string[] }> {
  await Deno.writeTextFile(file, text);
  const warnings: string[] = [];
  const r = await pinned.vc.update("/t.csv", file, { minor: true }, {
    onWarning: (w) => warnings.push(w.message),
  });
  return { to: r.to, warnings };
}

async function bumpSkipsDeleted(endpoint: string | undefined): Promise<void> {
  await withDeletedVersion(endpoint, {}, async (state) => {
    const { t } = state;
    const { to, warnings } = await bumpWith(state, "three\n");
    assertEquals(to, "1.2.0");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, `/t.csv 1.1.0 (s3://${t.bucket}/t.1.1.0.csv)`);
    assertStringIncludes(warnings[0]!, "this publishes 1.2.0");
    // 1.1.0 was not given other bytes.
    await using check = testS3Store(t.s3, t.bucket);
    assertEquals(await check.head("t.1.1.0.csv"), undefined);
    assertEquals(new TextDecoder().decode((await check.get("t.1.2.0.csv")).bytes), "three\n");
  });
}

async function exactVersionRefused(endpoint: string | undefined): Promise<void> {
  await withDeletedVersion(endpoint, {}, async ({ t, file, pinned }) => {
    await Deno.writeTextFile(file, "three\n");
    const error = await assertRejects(
      () => pinned.vc.update("/t.csv", file, { version: "1.1.0" }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, "cannot publish /t.csv 1.1.0");
    assertStringIncludes(error.message, "Publish past it with the version option 1.1.1");
    assertEquals(await Deno.readTextFile(pinned.manifest), '{"/t.csv":"1.0.0"}\n');
    await using check = testS3Store(t.s3, t.bucket);
    assertEquals(await check.head("t.1.1.0.csv"), undefined);
  });
}

async function addRefused(endpoint: string | undefined): Promise<void> {
  const options = { deleted: ["1.0.0", "1.1.0"], pins: {} };
  await withDeletedVersion(endpoint, options, async ({ file, pinned }) => {
    await Deno.writeTextFile(file, "three\n");
    await assertRejects(
      () => pinned.vc.add("/t.csv", file),
      InvalidInputError,
      "Publish past it with the version option 1.0.1",
    );
  });
}

async function sameBytesRestore(endpoint: string | undefined): Promise<void> {
  await withDeletedVersion(endpoint, {}, async (state) => {
    // The very bytes 1.1.0 held: published as 1.1.0 again, the same version.
    const { to, warnings } = await bumpWith(state, "two\n");
    assertEquals(to, "1.1.0");
    assertEquals(warnings, []);
  });
}

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
const cases: Array<[string, (endpoint: string | undefined) => Promise<void>]> = [
  ["update --minor skips a deleted version, saying so", bumpSkipsDeleted],
  ["update --version of a deleted version is refused, naming the free one", exactVersionRefused],
  ["add over deleted versions is refused, naming the free one", addRefused],
  ["the deleted version's very bytes restore it", sameBytesRestore],
];
for (const [what, fn] of cases) {
  Deno.test(`deleted versions on fake S3: ${what}`, () => fn(undefined));
  Deno.test({
    name: `deleted versions on ${endpoint ?? "VC_TEST_S3_ENDPOINT unset"}: ${what}`,
    ignore: endpoint === undefined,
    fn: () => fn(endpoint),
  });
}

Deno.test("deleted versions on fake S3 without versioning: publishing is as before", async () => {
  await withDeletedVersion(undefined, { versioned: false }, async (state) => {
    const { to, warnings } = await bumpWith(state, "three\n");
    // Nothing in the bucket tells that 1.1.0 existed.
    assertEquals(to, "1.1.0");
    assertEquals(warnings, []);
  });
});

Deno.test("deleted versions on fake S3: ListObjectVersions denied warns once and publishes", async () => {
  await withDeletedVersion(undefined, { denied: ["ListObjectVersions"] }, async (state) => {
    const { to, warnings } = await bumpWith(state, "three\n");
    assertEquals(to, "1.1.0");
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "ListObjectVersions was refused");
    assertStringIncludes(warnings[0]!, "s3:ListBucketVersions");
    assert((state.t.s3.stats?.ListObjectVersions ?? 0) > 0, "the bucket was asked");
  });
});

Deno.test("a store without ListObjectVersions (501) or denying it cannot tell: not held", async () => {
  for (
    const error of [
      new StoreError("LIST s3://b/k: 501 NotImplemented", { status: 501 }),
      new AccessDeniedError("LIST s3://b/k: 403 AccessDenied"),
    ]
  ) {
    await using store = new MemoryStore();
    const asking = Object.assign(store, { keyVersions: () => Promise.reject(error) });
    const found = await keyHeldBefore(asking, "t.1.1.0.csv");
    assertEquals(found.held, undefined);
    assert(found.held === undefined && found.denied === error);
  }
  // Anything else (a server error after retries) fails the publish, which changed nothing.
  await using store = new MemoryStore();
  const failing = Object.assign(store, {
    keyVersions: () => Promise.reject(new StoreError("LIST: 500", { status: 500 })),
  });
  await assertRejects(() => keyHeldBefore(failing, "t.1.1.0.csv"), StoreError, "500");
});
