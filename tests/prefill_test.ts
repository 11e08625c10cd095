import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";
import { prefill, PrefillInterruptedError, type PrefillProgress } from "../src/prefill/prefill.ts";
import { parsePrefillItem, readListFile } from "../src/prefill/list_file.ts";
import { tempDir, workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";

/**
 * Counts gets (all, and at most how many at once). With `gather`, the first
 * `gather` gets are held until all of them have arrived, so a concurrency
 * bound is reached deterministically (a bounded fallback releases them after
 * 10 s, failing the count instead of hanging).
 */
class CountingStore extends WrappingStore {
  #waiting: (() => void)[] = [];
  #gathered = 0;
  constructor(inner: ObjectStore, readonly counter: Counter, readonly gather = 0) {
    super(inner);
  }
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    const c = this.counter;
    c.gets++;
    c.inFlight++;
    c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
    try {
      if (this.#gathered < this.gather) {
        this.#gathered++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          this.#waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
          if (this.#waiting.length === this.gather) {
            for (const release of this.#waiting.splice(0)) release();
          }
        });
      }
      const result = await super.get(key, options);
      c.fetchedKeys.push(key);
      return result;
    } finally {
      c.inFlight--;
    }
  }
}

interface Counter {
  gets: number;
  inFlight: number;
  maxInFlight: number;
  /** Keys of successful gets. */
  fetchedKeys: string[];
}

const newCounter = (): Counter => ({
  gets: 0,
  inFlight: 0,
  maxInFlight: 0,
  fetchedKeys: [],
});

Deno.test("prefill attempts everything, lists every failure, and counts cached items", async () => {
  const counter = newCounter();
  await using ws = await workspace({ wrap: (s) => new CountingStore(s, counter) });
  const { vc, dir, manifest } = ws;
  await vc.add("/a.csv", await writeFile(dir, "a.csv", "aaaa"));
  await vc.add("/b.csv", await writeFile(dir, "b.csv", "bb"));
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ "/a.csv": "1.0.0", "/b.csv": "1.0.0", "/gone.csv": "3.0.0" }),
  );
  const extra = await writeFile(join(dir, "extra"), "x.txt", "xxxxxx");
  const xUri = pathToFileURL(extra).href;
  const missingUri = pathToFileURL(join(dir, "extra", "missing.txt")).href;
  const uris = [xUri, missingUri, "/a.csv@1.0.0", "/nope.csv", "not-a-uri", xUri];

  const progress: PrefillProgress[] = [];
  const first = await prefill({
    cache: ws.cache,
    versioned: [vc],
    uris,
    onProgress: (p) => progress.push(p),
  });
  assertEquals(first.total, 7);
  assertEquals(first.fetched, 3);
  assertEquals(first.alreadyCached, 0);
  assertEquals(first.bytes, 4 + 2 + 6);
  assertEquals(first.failed.map((f) => f.item), [
    "/gone.csv",
    missingUri,
    "/nope.csv",
    "not-a-uri",
  ]);
  const errors = Object.fromEntries(first.failed.map((f) => [f.item, f.error]));
  assertStringIncludes(errors["/gone.csv"] ?? "", "3.0.0");
  assertStringIncludes(errors[missingUri] ?? "", "missing.txt");
  assertStringIncludes(errors["/nope.csv"] ?? "", "not in manifest");
  assertStringIncludes(errors["not-a-uri"] ?? "", "versioned path");
  assert(first.seconds >= 0);
  // Whole milliseconds (no float noise such as 0.009068774000000019 in --json).
  assertEquals(Math.round(first.seconds * 1000) / 1000, first.seconds);
  assert(String(first.seconds).replace(/^\d+\.?/, "").length <= 3, String(first.seconds));
  // `/a.csv` from the manifest and `/a.csv@1.0.0` are one download.
  assertEquals(counter.fetchedKeys.sort(), ["a.1.0.0.csv", "b.1.0.0.csv", "x.txt"]);
  const last = progress.at(-1);
  assertEquals(last?.done, 7);
  assertEquals(last?.total, 7);
  assertEquals(last?.bytes, 12);

  const second = await prefill({ cache: ws.cache, versioned: [vc], uris });
  assertEquals(second.fetched, 0);
  assertEquals(second.alreadyCached, 3);
  assertEquals(second.bytes, 0);
  assertEquals(second.failed.length, 4);
  assertEquals(counter.fetchedKeys.length, 3);
});

Deno.test("prefill respects the concurrency bound", async () => {
  const counter = newCounter();
  await using ws = await workspace({ wrap: (s) => new CountingStore(s, counter, 3) });
  const uris: string[] = [];
  for (let i = 0; i < 12; i++) {
    uris.push(pathToFileURL(await writeFile(join(ws.dir, "many"), `f${i}.txt`, `${i}`)).href);
  }
  const summary = await prefill({ cache: ws.cache, uris, concurrency: 3 });
  assertEquals(summary.fetched, 12);
  assertEquals(summary.failed, []);
  assertEquals(counter.gets, 12);
  assert(counter.maxInFlight <= 3, `max in flight ${counter.maxInFlight}`);
  assertEquals(counter.maxInFlight, 3);

  await assertRejects(
    () => prefill({ cache: ws.cache, uris, concurrency: 0 }),
    InvalidInputError,
    "concurrency",
  );
});

Deno.test("versioned items need a manifest; manifests that cannot be read are failures", async () => {
  await using ws = await workspace();
  const summary = await prefill({ cache: ws.cache, uris: ["/foo/bar.csv@1.2.5"] });
  assertEquals(summary.failed.length, 1);
  assertStringIncludes(summary.failed[0]?.error ?? "", "no manifest");

  // The workspace's manifest does not exist yet.
  const broken = await prefill({ cache: ws.cache, versioned: [ws.vc] });
  assertEquals(broken.failed.map((f) => f.item), [ws.manifest]);
  assertStringIncludes(broken.failed[0]?.error ?? "", "does not exist");
});

Deno.test("an aborted prefill stops and rejects with the reason as cause", async () => {
  const counter = newCounter();
  await using ws = await workspace({ wrap: (s) => new CountingStore(s, counter) });
  const uris: string[] = [];
  for (let i = 0; i < 10; i++) {
    uris.push(pathToFileURL(await writeFile(join(ws.dir, "many"), `f${i}.txt`, `${i}`)).href);
  }
  const controller = new AbortController();
  const reason = new Error("user pressed ctrl-c");
  const run = prefill({
    cache: ws.cache,
    uris,
    concurrency: 1,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.done === 2) controller.abort(reason);
    },
  });
  const error = await assertRejects(() => run, PrefillInterruptedError);
  assertEquals(error.cause, reason);
  // What was done before the stop: the two items finished.
  assertEquals([error.summary.fetched, error.summary.failed], [2, []]);
  assert(counter.gets < 10, `stopped early (${counter.gets} gets)`);
});

Deno.test("readListFile: comments, blank lines, and bad lines named by line number", async () => {
  await using dir = await tempDir("vc_prefill_test_");
  const file = join(dir.path, "assets.txt");
  await Deno.writeTextFile(
    file,
    "# CI assets\n\ns3://bucket/key.csv\n  /foo/bar.csv@1.2.5  \r\n/foo/baz.json\nfile:///srv/x.bin\n",
  );
  assertEquals(await readListFile(file), [
    "s3://bucket/key.csv",
    "/foo/bar.csv@1.2.5",
    "/foo/baz.json",
    "file:///srv/x.bin",
  ]);

  const bad: Array<[string, string]> = [
    ["s3://bucket/ok.csv\nrelative/path.csv\n", ":2:"],
    ["# c\n\nfoo/bar.csv@1.2.3\n", ":3:"],
    ["gs://bucket/k\n", ":1:"],
    ["s3://bucket/\n", ":1:"],
    ["/foo/../x.csv\n", ":1:"],
  ];
  for (const [text, where] of bad) {
    await Deno.writeTextFile(file, text);
    await assertRejects(() => readListFile(file), InvalidInputError, `${file}${where}`);
  }
  await assertRejects(() => readListFile(join(dir.path, "nope.txt")), NotFoundError, "nope.txt");
});

Deno.test("parsePrefillItem", () => {
  assertEquals(parsePrefillItem("s3://b/k.csv"), { kind: "uri", uri: "s3://b/k.csv" });
  assertEquals(parsePrefillItem("foo/bar.csv@1.0.0".replace(/^/, "/")), {
    kind: "versioned",
    path: "/foo/bar.csv",
    version: "1.0.0",
  });
  assertEquals(parsePrefillItem("/mail/me@home.txt"), {
    kind: "versioned",
    path: "/mail/me@home.txt",
  });
  // `@` + a valid version at the end is a version; any other `@` is part of the path.
  assertEquals(parsePrefillItem("/models/resnet@2x.bin"), {
    kind: "versioned",
    path: "/models/resnet@2x.bin",
  });
  assertEquals(parsePrefillItem("/models/resnet@2x.bin@1.0.0"), {
    kind: "versioned",
    path: "/models/resnet@2x.bin",
    version: "1.0.0",
  });
  assertEquals(parsePrefillItem("/a.csv@v1.0.0"), { kind: "versioned", path: "/a.csv@v1.0.0" });
  assertThrows(() => parsePrefillItem("./a.csv"), InvalidInputError, "./a.csv");
});

Deno.test("prefilling a manifest of many entries reads the manifest once", async () => {
  await using ws = await workspace();
  const n = 300;
  const entries: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    entries[`/d/f${i}.txt`] = "1.0.0";
    await writeFile(join(ws.bucket, "d"), `f${i}.1.0.0.txt`, `${i}`);
  }
  await Deno.writeTextFile(ws.manifest, JSON.stringify(entries));
  let reads = 0;
  const vc = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    readManifest: (file) => {
      reads++;
      return readManifest(file);
    },
  });
  try {
    // Versioned items in the list resolve through the same parsed manifest.
    const summary = await prefill({
      cache: ws.cache,
      versioned: [vc],
      uris: ["/d/f1.txt@1.0.0", "/d/f2.txt"],
    });
    assertEquals(summary.failed, []);
    assertEquals(summary.total, n);
    assertEquals(summary.fetched, n);
    assertEquals(reads, 1);
    const again = await prefill({ cache: ws.cache, versioned: [vc] });
    assertEquals(again.alreadyCached, n);
    assertEquals(reads, 1);
  } finally {
    await vc.close();
  }
});

Deno.test("a list item spelled like a manifest path is still its own item", async () => {
  const counter = newCounter();
  await using ws = await workspace({ wrap: (s) => new CountingStore(s, counter) });
  const { vc, dir, manifest } = ws;
  // A manifest path that contains `@1.0.0`, and `/v` itself at 1.0.0.
  await vc.add("/v@1.0.0", await writeFile(dir, "a.csv", "from the path with @"));
  await vc.add("/v", await writeFile(dir, "b.csv", "v itself"));
  await Deno.writeTextFile(manifest, JSON.stringify({ "/v@1.0.0": "1.0.0" }));
  // The list item `/v@1.0.0` names `/v` at 1.0.0, not the manifest's path.
  const summary = await prefill({ cache: ws.cache, versioned: [vc], uris: ["/v@1.0.0"] });
  assertEquals(summary.failed, []);
  assertEquals(summary.total, 2);
  assertEquals(summary.fetched, 2);
  // (`/v@1.0.0`'s key puts its version before what looks like an extension, `.0.0`.)
  assertEquals(counter.fetchedKeys.sort(), ["v.1.0.0", "v@1.0.1.0.0.0"]);
});
