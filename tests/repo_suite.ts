/**
 * The repository test suite, written once and run against every catalog kind
 * (SQLite, PostgreSQL) and store (FsStore, fake S3, moto): see repo_test.ts,
 * repo_postgres_test.ts and repo_s3_compat_test.ts.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import type { Clock } from "../src/clock.ts";
import { InvalidInputError, PreconditionFailedError } from "../src/errors.ts";
import { openStore, type StoreOptions } from "../src/store/open.ts";
import { Repository, type RepositoryOptions } from "../src/repo/repository.ts";
import { ClaimLostError, RecordStateError, UnknownRecordError } from "../src/repo/records.ts";
import { CatalogNotEmptyError } from "../src/repo/backup.ts";
import { WrongHostError } from "../src/repo/marker.ts";
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { havePostgres, type PgServer, startPgServer } from "./pg_server.ts";

/** A clock tests move by hand. */
export class TestClock implements Clock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  sleep(ms: number): Promise<void> {
    this.#now += ms;
    return Promise.resolve();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Where a suite's repositories live. */
export interface SuiteEnv {
  /** Label for step names. */
  label: string;
  /** A fresh, empty store root URI. */
  newStoreUri(): Promise<string>;
  /** A fresh, empty catalog (`sqlite:PATH` / `postgres://…`), or undefined for the store's default. */
  newCatalog(): Promise<string | undefined>;
  /** A fresh catalog of the OTHER kind, for restore across kinds. */
  newOtherCatalog(): Promise<string>;
  /** Store options (S3 endpoint). */
  store?: StoreOptions;
  /** Directory for the asset cache. */
  cacheDir: string;
}

const DAY = 86_400_000;
const bytes = (s: string) => new TextEncoder().encode(s);

interface Ctx {
  repo: Repository;
  uri: string;
  clock: TestClock;
  options: RepositoryOptions;
}

async function withRepo(env: SuiteEnv, fn: (c: Ctx) => Promise<void>): Promise<void> {
  const uri = await env.newStoreUri();
  const catalog = await env.newCatalog();
  const clock = new TestClock();
  const cache = new AssetCache({
    cacheDir: env.cacheDir,
    configPath: false,
    env: {},
    ...(env.store ? { store: env.store } : {}),
    warn: () => {},
  });
  const options: RepositoryOptions = {
    clock,
    host: "host-a",
    openStore: (u) => openStore(u, env.store ?? {}),
    cache,
  };
  const repo = await Repository.init(uri, { ...options, ...(catalog ? { catalog } : {}) });
  try {
    await fn({ repo, uri, clock, options });
  } finally {
    await repo.close();
    await cache.close();
  }
}

/** Registers the suite's steps on test context `t`. */
export async function repoSuite(t: Deno.TestContext, env: SuiteEnv): Promise<void> {
  await t.step(
    `${env.label}: states and current()`,
    () =>
      withRepo(env, async ({ repo, clock }) => {
        const a = await repo.add("/data/x.csv", bytes("one"));
        assertEquals(a.state, "unpublished");
        assertEquals(a.size, 3);
        assertEquals(a.originHost, "host-a");
        assertEquals(await repo.current("/data/x.csv"), undefined);
        const p1 = await repo.publish(a.id);
        assertEquals(p1.state, "published");
        clock.advance(60_000);
        const again = await repo.publish(a.id);
        assertEquals(again.publishedAt, p1.publishedAt, "republish keeps the first publish time");
        const b = await repo.add("data/x.csv", bytes("two"));
        assertEquals(b.path, "/data/x.csv");
        assertEquals((await repo.current("/data/x.csv"))?.id, a.id, "unpublished is not current");
        await repo.publish(b.id);
        assertEquals((await repo.current("/data/x.csv"))?.id, b.id);
        assertEquals((await repo.expire(b.id)).state, "expired");
        assertEquals((await repo.current("/data/x.csv"))?.id, a.id, "expired is not current");
        const revived = await repo.publish(b.id);
        assertEquals(revived.state, "published");
        assert(revived.publishedAt !== null && revived.expiredAt === null);
        const c = await repo.add("/data/x.csv", bytes("three"));
        assertEquals((await repo.expire(c.id)).state, "expired", "expire works on unpublished");
        await assertRejects(() => repo.purge(b.id), RecordStateError, "it is published");
        const purged = await repo.purge(c.id);
        assertEquals(purged.state, "purged");
        assertEquals(await repo.store.head(c.contentKey), undefined, "purge deletes the content");
        await assertRejects(() => repo.publish(c.id), RecordStateError, "purged");
        await assertRejects(() => repo.get(9999), UnknownRecordError, "no record with id 9999");
        await assertRejects(() => repo.publish(9999), UnknownRecordError, "9999");
        await assertRejects(
          () => repo.add("/a/../b", bytes("x")),
          InvalidInputError,
          "logical path",
        );
        assertEquals((await repo.list({ state: "published" })).map((r) => r.id), [a.id, b.id]);
        assertEquals((await repo.list({ path: "/data/x.csv" })).length, 3);
        await assertRejects(
          async () => await repo.list({ state: "bogus" as "published" }),
          InvalidInputError,
        );
      }),
  );

  await t.step(
    `${env.label}: a path's other Unicode spelling (NFC vs NFD) is refused`,
    () =>
      withRepo(env, async ({ repo }) => {
        const nfc = "/caf\u00e9/menu.txt", nfd = "/cafe\u0301/menu.txt";
        const a = await repo.add(nfc, bytes("one"));
        const refused = await assertRejects(() => repo.add(nfd, bytes("two")), InvalidInputError);
        assertEquals(
          refused.message,
          '"/cafe\\u0301/menu.txt" and the path "/caf\\u00e9/menu.txt" in repository ' +
            `${repo.uri} look the same but are spelled differently in Unicode (NFC vs NFD; one ` +
            "file name on macOS); use the repository's spelling (copy it from the Repository's `list()`)",
        );
        // Nothing was uploaded or recorded for it.
        assertEquals((await repo.list()).map((r) => r.id), [a.id]);
        const keys: string[] = [];
        for await (const o of repo.store.list(repo.marker.contentPrefix)) keys.push(o.key);
        assertEquals(keys, [a.contentKey]);
        // The same spelling again is a new version, as always.
        assertEquals((await repo.add(nfc, bytes("three"))).path, nfc);
        // A tag on the other spelling of the path would tag no record.
        await assertRejects(() => repo.tag({ path: nfd }, ["eu"]), InvalidInputError, "NFC vs NFD");
        assertEquals(await repo.tag({ path: nfc }, ["eu"]), ["eu"]);
        // A path first known by its tags counts too, in either direction.
        const tagged = "/cafe\u0301/tagged.txt";
        assertEquals(await repo.tag({ path: tagged }, ["eu"]), ["eu"]);
        await assertRejects(
          () => repo.add(tagged.normalize("NFC"), bytes("x")),
          InvalidInputError,
          '"/cafe\\u0301/tagged.txt"',
        );
        // Removing a tag creates nothing: no refusal.
        assertEquals(await repo.untag({ path: nfd }, ["eu"]), []);
      }),
  );

  await t.step(
    `${env.label}: every spelling of a path that is one in NFC is refused, mixed ones too`,
    () =>
      withRepo(env, async ({ repo }) => {
        // One segment composed, the other decomposed.
        const mixed = "/caf\u00e9/cre\u0300me.txt";
        const a = await repo.add(mixed, bytes("one"));
        for (
          const twin of [
            mixed.normalize("NFC"),
            mixed.normalize("NFD"),
            "/cafe\u0301/cr\u00e8me.txt",
          ]
        ) {
          await assertRejects(() => repo.add(twin, bytes("x")), InvalidInputError, "NFC vs NFD");
          await assertRejects(
            () => repo.tag({ path: twin }, ["t"]),
            InvalidInputError,
            "NFC vs NFD",
          );
        }
        assertEquals((await repo.add(mixed, bytes("two"))).path, mixed, "its own spelling is fine");
        // Two accented letters in one name, one composed, one decomposed.
        const both = "/\u00e9te\u0301.txt";
        assertEquals(await repo.tag({ path: both }, ["t"]), ["t"]);
        await assertRejects(
          () => repo.add("/\u00e9t\u00e9.txt", bytes("x")),
          InvalidInputError,
          "NFC vs NFD",
        );
        await assertRejects(
          () => repo.add("/e\u0301te\u0301.txt", bytes("x")),
          InvalidInputError,
          "NFC vs NFD",
        );
        // A path all in ASCII has twins too: K and the Kelvin sign.
        await repo.add("/\u212A.txt", bytes("k"));
        const kelvin = await assertRejects(
          () => repo.add("/K.txt", bytes("x")),
          InvalidInputError,
          '"/\\u212a.txt"',
        );
        assertStringIncludes(kelvin.message, "a character Unicode takes for another");
        assert(!kelvin.message.includes("NFD"), kelvin.message);
        // A refused add leaves no content behind, even when found after its upload.
        const keys: string[] = [];
        for await (const o of repo.store.list(repo.marker.contentPrefix)) keys.push(o.key);
        assertEquals(keys.length, 3);
        assertEquals((await repo.list()).map((r) => r.id).length, 3);
        assertEquals(a.path, mixed);
      }),
  );

  await t.step(
    `${env.label}: two spellings of a new path added at once: one is recorded, one refused`,
    () =>
      withRepo(env, async ({ repo }) => {
        const nfc = "/na\u00efve.txt", nfd = nfc.normalize("NFD");
        // The first add to record pauses between its insert and its commit,
        // the moment a second add of the other spelling would find nothing.
        const insertedOnce = pauseAfterFirstInsert(repo, "records");
        const first = repo.add(nfc, bytes("a"));
        await insertedOnce;
        const second = await Promise.allSettled([repo.add(nfd, bytes("b"))]);
        assertEquals((await first).path, nfc);
        assertEquals(second[0].status, "rejected");
        assertEquals((await repo.list()).map((r) => r.path), [nfc]);
      }),
  );

  await t.step(
    `${env.label}: a tag's other Unicode spelling (NFC vs NFD, K vs Kelvin) is refused`,
    () =>
      withRepo(env, async ({ repo }) => {
        const nfc = "caf\u00e9", nfd = "cafe\u0301";
        const a = await repo.add("/a.txt", bytes("a"), { tags: [nfc] });
        const refused = await assertRejects(
          () => repo.add("/b.txt", bytes("b"), { tags: [nfd] }),
          InvalidInputError,
        );
        assertEquals(
          refused.message,
          'the tag "cafe\\u0301" and the tag "caf\\u00e9" in repository ' +
            `${repo.uri} look the same but are spelled differently in Unicode (NFC vs NFD); ` +
            "use the repository's spelling (copy it from the Repository's `list()`)",
        );
        // Nothing was uploaded or recorded for it.
        assertEquals((await repo.list()).map((r) => r.id), [a.id]);
        const keys: string[] = [];
        for await (const o of repo.store.list(repo.marker.contentPrefix)) keys.push(o.key);
        assertEquals(keys, [a.contentKey]);
        // On a record, on a path, in either direction, in any mix of forms.
        await assertRejects(
          () => repo.tag({ id: a.id }, [nfd]),
          InvalidInputError,
          '"cafe\\u0301"',
        );
        await assertRejects(() => repo.tag({ path: "/p" }, [nfd]), InvalidInputError, "NFC vs NFD");
        assertEquals(await repo.tag({ path: "/p" }, ["cre\u0300me-\u00e9t\u00e9"]), [
          "cre\u0300me-\u00e9t\u00e9",
        ]);
        for (const twin of ["cr\u00e8me-\u00e9t\u00e9", "cre\u0300me-e\u0301te\u0301"]) {
          await assertRejects(
            () => repo.tag({ id: a.id }, [twin]),
            InvalidInputError,
            "NFC vs NFD",
          );
        }
        // A tag all in ASCII has twins too: K and the Kelvin sign.
        await repo.tag({ id: a.id }, ["K"]);
        const kelvin = await assertRejects(
          () => repo.add("/c.txt", bytes("c"), { tags: ["\u212a"] }),
          InvalidInputError,
          'the tag "\\u212a" and the tag "K"',
        );
        // Named as what it is: no NFD spelling of either.
        assertStringIncludes(
          kelvin.message,
          '("\\u212a" for "K": a character Unicode takes for another)',
        );
        assert(!kelvin.message.includes("NFD"), kelvin.message);
        // Two spellings given together are refused too.
        await assertRejects(
          () => repo.tag({ id: a.id }, ["na\u00efve", "nai\u0308ve"]),
          InvalidInputError,
          "given with it",
        );
        // The repository's own spellings go on working; untag creates nothing.
        assertEquals(await repo.tag({ path: "/a.txt" }, [nfc]), [nfc]);
        assertEquals((await repo.add("/d.txt", bytes("d"), { tags: [nfc, "K"] })).tags, ["K", nfc]);
        assertEquals(await repo.untag({ id: a.id }, [nfd]), []);
        assertEquals((await repo.find({ any: [nfc] })).length, 2);
        assertEquals((await repo.get(a.id)).tags, ["K", nfc]);
      }),
  );

  await t.step(
    `${env.label}: two spellings of a new tag set at once: one is recorded, one refused`,
    () =>
      withRepo(env, async ({ repo }) => {
        const a = await repo.add("/a.txt", bytes("a"));
        const b = await repo.add("/b.txt", bytes("b"));
        const nfc = "na\u00efve", nfd = nfc.normalize("NFD");
        // The first tag to be written pauses between its insert and its
        // commit, the moment a second tag of the other spelling would find nothing.
        const insertedOnce = pauseAfterFirstInsert(repo, "record_tags");
        const first = repo.tag({ id: a.id }, [nfc]);
        await insertedOnce;
        const second = await Promise.allSettled([repo.tag({ id: b.id }, [nfd])]);
        assertEquals(await first, [nfc]);
        assertEquals(second[0].status, "rejected");
        assertEquals((await repo.get(b.id)).tags, []);
      }),
  );

  await t.step(
    `${env.label}: tags, date tags, find`,
    () =>
      withRepo(env, async ({ repo, clock }) => {
        clock.advance(Date.UTC(2026, 10, 30, 7, 5) - clock.now());
        const a = await repo.add("/logs/a", bytes("a"), { tags: ["raw", "eu"], dateTag: "hour" });
        assertEquals(a.tags, [
          "day:2026-11-30",
          "eu",
          "hour:2026-11-30T07",
          "month:2026-11",
          "raw",
          "week:2026-W49",
        ]);
        const b = await repo.add("/logs/b", bytes("b"), { tags: ["raw"], dateTag: "day" });
        const c = await repo.add("/logs/c", bytes("c"), { tags: ["us"] });
        await repo.tag({ path: "/logs/c" }, ["raw"]);
        assert((await repo.get(c.id)).tags.includes("raw"), "path tags are inherited");
        await repo.tag({ id: b.id }, ["done"]);
        assertEquals((await repo.find({ any: ["raw"] })).map((r) => r.id), [a.id, b.id, c.id]);
        assertEquals((await repo.find({ all: ["raw", "eu"] })).map((r) => r.id), [a.id]);
        assertEquals((await repo.find({ any: ["eu", "us"], all: ["raw"] })).map((r) => r.id), [
          a.id,
          c.id,
        ]);
        assertEquals((await repo.find({ any: ["raw"], exclude: ["done"] })).map((r) => r.id), [
          a.id,
          c.id,
        ]);
        assertEquals((await repo.find({ any: ["week:2026-W49"] })).map((r) => r.id), [a.id, b.id]);
        assertEquals((await repo.find({ any: ["raw"], published: true })).length, 0);
        await repo.publish(c.id);
        assertEquals((await repo.find({ any: ["raw"], published: true })).map((r) => r.id), [c.id]);
        await assertRejects(
          async () => await repo.find({ exclude: ["done"] }),
          InvalidInputError,
          "the exclude option alone",
        );
        await assertRejects(async () => await repo.find({}), InvalidInputError);
        await assertRejects(
          async () => await repo.find({ any: ["two words"] }),
          InvalidInputError,
          "tag",
        );
        // Each says what it changed: a tag that is not there is not reported as removed.
        assertEquals(await repo.untag({ path: "/logs/c" }, ["raw", "nope"]), ["raw"]);
        assertEquals(await repo.untag({ id: b.id }, ["done"]), ["done"]);
        assertEquals(await repo.untag({ id: b.id }, ["done"]), []);
        assertEquals(await repo.tag({ id: b.id }, ["x1", "x1"]), ["x1"]);
        assertEquals(await repo.tag({ id: b.id }, ["x1"]), []);
        assertEquals(await repo.untag({ id: b.id }, ["x1"]), ["x1"]);
        assertEquals((await repo.list({ tag: "raw" })).map((r) => r.id), [a.id, b.id]);
        assertEquals((await repo.find({ any: ["raw"], exclude: ["done"] })).length, 2);
        await assertRejects(() => repo.tag({ id: 4242 }, ["x"]), UnknownRecordError);
      }),
  );

  await t.step(
    `${env.label}: claims, ttl expiry, renew, release`,
    () =>
      withRepo(env, async ({ repo, clock }) => {
        const ids: number[] = [];
        for (const name of ["a", "b", "c"]) {
          const r = await repo.add(`/q/${name}`, bytes(name), { tags: ["todo"] });
          await repo.publish(r.id);
          ids.push(r.id);
        }
        const unpublished = await repo.add("/q/d", bytes("d"), { tags: ["todo"] });
        const one = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w1" });
        const two = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w2" });
        const three = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w3" });
        assertEquals([one?.record.id, two?.record.id, three?.record.id], ids);
        assertEquals(
          await repo.claim({ tag: "todo", ttlMs: 60_000 }),
          undefined,
          "only published, unclaimed",
        );
        assert(unpublished.id > ids[2]!);
        await assertRejects(
          () => repo.renew(ids[0]!, "w2", 60_000),
          ClaimLostError,
          "w2 does not hold it",
        );
        const renewed = await repo.renew(ids[0]!, "w1", 120_000);
        assertEquals(renewed.until, new Date(clock.now() + 120_000).toISOString());
        await repo.release(ids[1]!, "w2");
        assertEquals(
          (await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w4" }))?.record.id,
          ids[1],
        );
        clock.advance(61_000); // w3's and w4's claims lapse (crashed holders); w1's renewal holds
        const after = await repo.claim({ tag: "todo", ttlMs: 60_000, holder: "w5" });
        assertEquals(after?.record.id, ids[1]);
        assertEquals(
          (await repo.claim({ path: "/q/c", ttlMs: 60_000, holder: "w6" }))?.record.id,
          ids[2],
        );
        await assertRejects(() => repo.release(ids[2]!, "w3"), ClaimLostError, "another worker");
        await assertRejects(async () => await repo.claim({ ttlMs: 0 }), InvalidInputError, "ttl");
      }),
  );

  await t.step({
    name: `${env.label}: GC aborts content uploads left by a killed add, after the grace period`,
    ignore: env.store?.s3 === undefined, // multipart uploads are S3's
    fn: () =>
      withRepo(env, async ({ repo, clock, uri }) => {
        const s3 = env.store!.s3!;
        const { S3Client, CreateMultipartUploadCommand } = await import("@aws-sdk/client-s3");
        // Started by another client and never completed or aborted, as a
        // `vc repo add` killed with SIGKILL mid-upload leaves it.
        const client = new S3Client({
          endpoint: s3.endpoint!,
          region: s3.region!,
          forcePathStyle: true,
          credentials: s3.credentials as { accessKeyId: string; secretAccessKey: string },
        });
        const root = new URL(uri).pathname.slice(1); // the store's prefix in its bucket
        const bucket = new URL(uri).hostname;
        const start = async (key: string) =>
          await client.send(
            new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${root}/${key}` }),
          );
        try {
          const content = `${repo.marker.contentPrefix}leftover`;
          await start(content);
          await start("elsewhere/not-vcs"); // neither content nor a backup: never touched
          const pending = async () => {
            const keys: string[] = [];
            for await (const u of repo.store.pendingUploads!("")) keys.push(u.key);
            return keys.sort();
          };
          assertEquals(await pending(), [content, "elsewhere/not-vcs"]);
          // Young: may be an add in flight.
          assertEquals((await repo.gc({})).abortedUploads, []);
          clock.advance(8 * 86_400_000);
          // moto gives every upload one fixed start time, in 2010: no age to
          // go by, so it is kept and reported instead of aborted.
          let dated = false;
          for await (const u of repo.store.pendingUploads!(content)) {
            dated = u.initiated.getTime() > Date.parse(repo.marker.createdAt) - 86_400_000;
          }
          if (!dated) {
            const kept = await repo.gc({});
            assertEquals(kept.abortedUploads, []);
            assertEquals(kept.undatedUploads.map((u) => u.key), [content]);
            assertEquals((await pending()).length, 2);
            return;
          }
          const dry = await repo.gc({ dryRun: true });
          assertEquals(dry.abortedUploads.map((u) => u.key), [content]);
          assertEquals((await pending()).length, 2, "a dry run aborts nothing");
          const done = await repo.gc({});
          assertEquals(done.abortedUploads.map((u) => u.key), [content]);
          assertEquals(await pending(), ["elsewhere/not-vcs"]);
          assertEquals((await repo.gc({})).abortedUploads, [], "nothing left to abort");
        } finally {
          client.destroy();
        }
      }),
  });

  await t.step(
    `${env.label}: GC (dry run, superseded, grace, retention, orphans from a crashed add)`,
    () =>
      withRepo(env, async ({ repo, clock, uri, options }) => {
        const old = await repo.add("/g/x", bytes("old"));
        const cur = await repo.add("/g/x", bytes("new"));
        await repo.publish(old.id);
        await repo.publish(cur.id);
        const abandoned = await repo.add("/g/y", bytes("never published"));
        const retired = await repo.add("/g/z", bytes("retired"));
        await repo.expire(retired.id);
        // A crash between upload and record write: this add uploads, then finds
        // its catalog gone and fails, leaving content that no record references.
        const before = new Set<string>();
        for await (const o of repo.store.list(repo.marker.contentPrefix)) before.add(o.key);
        const crashing = await Repository.open(uri, options);
        // Its catalog lost once the content is up (before, it is looked at
        // to refuse a read-only one: nothing would be uploaded).
        const store = crashing.store as { put: typeof crashing.store.put };
        const put = store.put.bind(crashing.store);
        store.put = async (...args) => {
          const done = await put(...args);
          await crashing.catalog.close();
          return done;
        };
        await assertRejects(() => crashing.add("/g/crash", bytes("uploaded, never recorded")));
        await crashing.close();
        const orphans: string[] = [];
        for await (const o of repo.store.list(repo.marker.contentPrefix)) {
          if (!before.has(o.key)) orphans.push(o.key);
        }
        assertEquals(orphans.length, 1, "the failed add left its upload behind");
        const orphanKey = orphans[0]!;

        const dry = await repo.gc({ dryRun: true });
        assertEquals(dry.expired, [old.id]);
        assertEquals(dry.purgedUnpublished, [], "within the grace period");
        assertEquals(dry.deletedObjects, [], "the orphan is younger than the grace period");
        assertEquals((await repo.get(old.id)).state, "published", "dry run changes nothing");

        const first = await repo.gc();
        assertEquals(first.expired, [old.id]);
        assertEquals((await repo.get(old.id)).state, "expired");
        assert(await repo.store.head(orphanKey), "an in-flight add's upload is kept");

        clock.advance(8 * DAY);
        const second = await repo.gc();
        assertEquals(second.purgedUnpublished, [abandoned.id]);
        assertEquals(second.purgedExpired, [], "retention not reached");
        assert(second.deletedObjects.includes(orphanKey));
        assertEquals(await repo.store.head(orphanKey), undefined);
        assertEquals((await repo.get(abandoned.id)).state, "purged");

        clock.advance(30 * DAY);
        const third = await repo.gc();
        assertEquals(third.purgedExpired, [old.id, retired.id]);
        assertEquals((await repo.get(cur.id)).state, "published", "nothing published is lost");
        assert(await repo.store.head(cur.contentKey));
        assertEquals((await repo.check()).ok, true);
      }),
  );

  await t.step(
    `${env.label}: check (missing, MD5 mismatch, orphans) and download`,
    () =>
      withRepo(env, async ({ repo }) => {
        const a = await repo.add("/c/a", bytes("alpha"));
        const b = await repo.add("/c/b", bytes("bravo"));
        const c = await repo.add("/c/c", bytes("charlie"));
        const local = await repo.download(a.id);
        assertEquals(await Deno.readTextFile(local), "alpha");
        assertEquals((await repo.check()).ok, true);
        await repo.store.delete([b.contentKey]);
        await repo.store.put(c.contentKey, bytes("CHARLIE"));
        await repo.store.put(`${repo.marker.contentPrefix}stray`, bytes("?"));
        // Counted whatever its age (a fresh one is recent: an add in flight, perhaps).
        const report = await repo.check({ graceMs: 0 });
        assertEquals(report.ok, false);
        assertEquals(report.problems.map((p) => [p.id, p.problem]), [[b.id, "missing"], [
          c.id,
          "md5 mismatch",
        ]]);
        assertEquals(report.orphans.map((o) => o.key), [`${repo.marker.contentPrefix}stray`]);
      }),
  );

  await t.step(
    `${env.label}: backup, restore into the other catalog kind, refuse non-empty`,
    () =>
      withRepo(env, async ({ repo, uri, options }) => {
        // Tags out of NFC, whose spelling keys the restore fills anew.
        const t1 = "te\u0301", pt = "pe\u0301";
        const a = await repo.add("/b/a", bytes("a"), { tags: [t1] });
        await repo.publish(a.id);
        await repo.tag({ path: "/b/a" }, [pt]);
        const b = await repo.add("/b/b", bytes("b"));
        const backup = await repo.backup();
        assertEquals(backup.counts.records, 2);
        assert(backup.uri.includes("backups/catalog-"));
        await assertRejects(
          () => Repository.restore(uri, backup.uri, options),
          CatalogNotEmptyError,
          "the force option",
        );
        const from = repo.catalog.location;
        await repo.close();
        const other = await env.newOtherCatalog();
        const { movedFrom, ...counts } = await Repository.restore(uri, backup.uri, {
          ...options,
          catalog: other,
        });
        // A move names the catalog it left (a PostgreSQL one without its password).
        if (from.startsWith("sqlite:")) assertEquals(movedFrom, from);
        else assert(movedFrom?.startsWith("postgres"), `movedFrom: ${movedFrom}`);
        assertEquals(counts, {
          records: 2,
          recordTags: 1,
          pathTags: 1,
          replaced: 0,
          dropped: 0,
          keptPurged: 0,
          leftBehind: 0,
          missingContent: 0,
          unreferencedContent: 0,
        });
        await using moved = await Repository.open(uri, options);
        assertEquals(
          moved.marker.catalog.kind,
          other.startsWith("sqlite:") ? "sqlite" : "postgres",
        );
        assertEquals((await moved.current("/b/a"))?.tags, [pt, t1]);
        assertEquals((await moved.get(b.id)).state, "unpublished");
        for (const twin of [t1, pt].map((tag) => tag.normalize("NFC"))) {
          await assertRejects(
            () => moved.tag({ id: b.id }, [twin]),
            InvalidInputError,
            "NFC vs NFD",
          );
        }
        const c = await moved.add("/b/c", bytes("c"));
        assert(c.id > b.id, "ids continue after restored ones");
        await Repository.restore(uri, backup.uri, { ...options, force: true });
        assertEquals((await moved.list()).length, 2);
      }),
  );

  await t.step(
    `${env.label}: marker: second init refused, wrong host, not a repository`,
    () =>
      withRepo(env, async ({ repo, uri, options }) => {
        await assertRejects(
          () => Repository.init(uri, { ...options, catalog: repo.catalog.location }),
          PreconditionFailedError,
          "already a vc repository",
        );
        if (repo.marker.catalog.kind === "sqlite") {
          await assertRejects(
            () => Repository.open(uri, { ...options, host: "host-b" }),
            WrongHostError,
            "host-a",
          );
        } else {
          await using elsewhere = await Repository.open(uri, { ...options, host: "host-b" });
          assertEquals(
            (await elsewhere.list()).length,
            0,
            "a PostgreSQL catalog is shared by hosts",
          );
        }
        const empty = await env.newStoreUri();
        await assertRejects(() => Repository.open(empty, options), Error, "not a vc repository");
      }),
  );
}

export type CatalogKind = "sqlite" | "postgres";

/** Where {@linkcode runRepoSuite} finds what it runs against, beyond its own temp dir. */
export interface RepoSuiteServers {
  /** A real S3-compatible endpoint whose `bucket` exists, instead of the fake S3 server. */
  endpoint?: { url: string; bucket: string };
  /**
   * A PostgreSQL server to make the catalogs' databases on (each suite's
   * names are its own), instead of one started for this suite.
   */
  pg?: PgServer | undefined;
}

/**
 * Runs the suite for one catalog kind over one store: a directory, the fake
 * S3 server, or a real S3-compatible endpoint (`servers.endpoint`).
 */
export async function runRepoSuite(
  t: Deno.TestContext,
  kind: CatalogKind,
  storeKind: "fs" | "s3",
  servers: RepoSuiteServers = {},
): Promise<void> {
  const { endpoint } = servers;
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_" });
  let pg: PgServer | undefined = servers.pg;
  let ownPg: PgServer | undefined;
  const s3 = storeKind === "s3" && !endpoint ? await startFakeS3({ buckets: ["repo"] }) : undefined;
  const s3Url = endpoint?.url ?? s3?.url;
  const bucket = endpoint?.bucket ?? "repo";
  try {
    if (!pg && (kind === "postgres" || havePostgres)) pg = ownPg = await startPgServer();
    let n = 0;
    const sqlite = () => `sqlite:${join(dir, `catalog-${++n}.sqlite`)}`;
    const postgres = () => pg!.createDatabase(`vc_${kind}_${storeKind}_${++n}`);
    const store: StoreOptions | undefined = s3Url
      ? {
        s3: {
          endpoint: s3Url,
          region: "us-east-1",
          forcePathStyle: true,
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          maxAttempts: 2,
        },
      }
      : undefined;
    const env: SuiteEnv = {
      label: `${kind}+${storeKind}`,
      newStoreUri: () =>
        Promise.resolve(s3Url ? `s3://${bucket}/r${++n}` : `file://${join(dir, `store-${++n}`)}`),
      // FsStore + SQLite uses the default (SQLite beside the content).
      newCatalog: () =>
        kind === "postgres"
          ? postgres()
          : Promise.resolve(storeKind === "fs" ? undefined : sqlite()),
      newOtherCatalog: () => kind === "sqlite" && pg ? postgres() : Promise.resolve(sqlite()),
      cacheDir: join(dir, "cache"),
      ...(store ? { store } : {}),
    };
    await repoSuite(t, env);
  } finally {
    await ownPg?.[Symbol.asyncDispose]();
    await s3?.[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Makes the first `INSERT INTO table` of `repo`'s catalog pause 300 ms
 * before its transaction goes on (the moment a concurrent writer would find
 * nothing yet); resolves when that insert is made.
 */
function pauseAfterFirstInsert(repo: Repository, table: string): Promise<void> {
  const catalog = repo.catalog as { transaction: Repository["catalog"]["transaction"] };
  const transaction = catalog.transaction.bind(catalog);
  let paused = false;
  let inserted!: () => void;
  const insertedOnce = new Promise<void>((resolve) => inserted = resolve);
  catalog.transaction = (mode, fn) =>
    transaction(mode, (tx) =>
      fn({
        query: async (sql, params) => {
          const rows = await tx.query(sql, params);
          if (!paused && sql.startsWith(`INSERT INTO ${table}`)) {
            paused = true;
            inserted();
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
          return rows;
        },
      }));
  return insertedOnce;
}
