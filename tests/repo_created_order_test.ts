/**
 * Two adds of one path at once: the one whose upload takes longer is
 * recorded later, with the higher id. Its creation time was the time its
 * upload began, so the record with the higher id (the one `current` and
 * `ls --limit` take as the newer) could show the older time, and its date
 * tags a day it was not recorded on. A record is now created when it is
 * recorded: ids and times are in one order. The slow upload is paused
 * through the store seam and the clock moved by hand (no timing).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import type { Clock } from "../src/clock.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { overriding } from "./overriding.ts";

const DAY = 86_400_000;

/**
 * The store at `uri`, whose put of `hold.bytes` waits for `hold.gate`: the
 * slow add's upload by its content, not whichever add reaches its put first
 * (the fast one could, and then the test waited on itself).
 */
async function gated(uri: string, hold: Gate) {
  const store = await openStore(uri);
  return overriding(store, {
    put: async (...args: Parameters<ObjectStore["put"]>) => {
      const [, body] = args;
      if (body instanceof Uint8Array && hold.bytes !== undefined && sameBytes(body, hold.bytes)) {
        await hold.gate;
      }
      return await store.put(...args);
    },
  });
}

interface Gate {
  bytes?: Uint8Array | undefined;
  gate?: Promise<void> | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function concurrentAdds(catalog: string | undefined): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_created_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  let now = Date.UTC(2026, 10, 30, 23, 59, 59);
  const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
  const hold: Gate = {};
  try {
    await (await Repository.init(uri, catalog === undefined ? {} : { catalog })).close();
    await using repo = await Repository.open(uri, {
      clock,
      openStore: (u) => gated(u, hold),
    });
    const release = Promise.withResolvers<void>();
    const slowBytes = new TextEncoder().encode("slow");
    hold.bytes = slowBytes;
    hold.gate = release.promise;
    const slow = repo.add("/a.csv", slowBytes, { dateTag: "day" }); // its upload waits
    now += 2_000; // past midnight
    const fast = await repo.add("/a.csv", new TextEncoder().encode("fast"), { dateTag: "day" });
    now += 2_000;
    release.resolve();
    const late = await slow;
    assert(late.id > fast.id, "the slow add is recorded second");
    assert(
      Date.parse(late.createdAt) >= Date.parse(fast.createdAt),
      `id ${late.id} created ${late.createdAt}, before id ${fast.id} (${fast.createdAt})`,
    );
    assertEquals(late.createdAt, new Date(now).toISOString());
    assertEquals(late.tags.filter((t) => t.startsWith("day:")), ["day:2026-12-01"]);
    // The newest by id is the newest by time, in every listing.
    const listed = await repo.list({ path: "/a.csv" });
    const byTime = [...listed].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    assertEquals(byTime.map((r) => r.id), listed.map((r) => r.id));
    assert(now - Date.parse(late.createdAt) < DAY);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo: concurrent adds of one path are created in id order (SQLite)", () =>
  concurrentAdds(undefined));

Deno.test({
  name: "repo: concurrent adds of one path are created in id order (PostgreSQL)",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await concurrentAdds(pg.url);
  },
});

Deno.test("repo add: a date tag kind that is none is refused before the upload", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_created_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    await assertRejects(
      () => repo.add("/a.csv", new Uint8Array([1]), { dateTag: "year" as "day" }),
      InvalidInputError,
      "hour, day, week or month",
    );
    const keys: string[] = [];
    for await (const o of repo.store.list(repo.marker.contentPrefix)) keys.push(o.key);
    assertEquals(keys, [], "nothing was uploaded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
