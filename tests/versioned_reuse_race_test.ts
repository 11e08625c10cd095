/**
 * Two `vc update`s (or `vc add`s) of one path racing on one manifest and lock
 * file: the loser lists the bucket before the winner publishes, then finds the
 * winner's lock entry for the version it meant to publish. That version is in
 * the bucket, so the loser must say it was published by someone else
 * meanwhile, not that it "was published before and is not in the bucket now"
 * (a deletion that never happened).
 */
import { PreconditionFailedError } from "../src/errors.ts";
import type { ListOptions, ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";

/** Calls `race` after each listing of `prefix` has been read to its end. */
class RaceAfterList extends WrappingStore {
  constructor(
    inner: ObjectStore,
    readonly prefix: string,
    readonly race: () => Promise<void>,
  ) {
    super(inner);
  }
  override async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    yield* this.inner.list(prefix, options);
    if (prefix === this.prefix) await this.race();
  }
}

async function raceWorkspace(prefix: string, race: (winner: VersionedCache) => Promise<void>) {
  const side: { winner?: VersionedCache } = {};
  let armed = false;
  const ws = await workspace({
    wrap: (store) =>
      new RaceAfterList(store, prefix, async () => {
        // Once: the winner runs between the loser's listing and its publish.
        if (armed && side.winner) {
          armed = false;
          await race(side.winner);
        }
      }),
  });
  const winner = side.winner = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
  });
  return {
    ws,
    winner,
    arm: () => armed = true,
    async [Symbol.asyncDispose]() {
      await winner.close();
      await ws[Symbol.asyncDispose]();
    },
  };
}

Deno.test("update racing another update of the same path: the loser says it was published meanwhile", async () => {
  await using r = await raceWorkspace("t.", async (winner) => {
    const mine = await writeFile(r.ws.dir, "winner.csv", "winner\n");
    await winner.update("/t.csv", mine, { patch: true });
  });
  const file = await writeFile(r.ws.dir, "t.csv", "one\n");
  await r.ws.vc.add("/t.csv", file);
  await writeFile(r.ws.dir, "t.csv", "loser\n");
  r.arm();
  const e = await assertRejects(
    () => r.ws.vc.update("/t.csv", file, { patch: true }),
    PreconditionFailedError,
    "version 1.0.1 of /t.csv was published by someone else meanwhile",
  );
  assert(!e.message.includes("is not in"), e.message);
  assertEquals(JSON.parse(await Deno.readTextFile(r.ws.manifest)), { "/t.csv": "1.0.1" });
  assertEquals(await Deno.readTextFile(`${r.ws.bucket}/t.1.0.1.csv`), "winner\n");
});

Deno.test("add racing another add of the same path: the loser says it was published meanwhile", async () => {
  await using r = await raceWorkspace("n.", async (winner) => {
    const mine = await writeFile(r.ws.dir, "winner.csv", "winner\n");
    await winner.add("/n.csv", mine);
  });
  await Deno.mkdir(r.ws.bucket, { recursive: true });
  const file = await writeFile(r.ws.dir, "n.csv", "loser\n");
  r.arm();
  const e = await assertRejects(
    () => r.ws.vc.add("/n.csv", file),
    PreconditionFailedError,
    "version 1.0.0 of /n.csv was published by someone else meanwhile",
  );
  assert(!e.message.includes("is not in"), e.message);
  assertEquals(await Deno.readTextFile(`${r.ws.bucket}/n.1.0.0.csv`), "winner\n");
});

// Two CI jobs adding or updating one path with the same file: the loser found
// the winner's version holding its own bytes, and failed all the same.
for (const command of ["add", "update"] as const) {
  Deno.test(`${command} racing another ${command} of the same bytes pins the winner's version, with a warning`, async () => {
    const prefix = command === "add" ? "s." : "u.";
    const path = command === "add" ? "/s.csv" : "/u.csv";
    await using r = await raceWorkspace(prefix, async (winner) => {
      const same = await writeFile(r.ws.dir, "winner.csv", "same\n");
      if (command === "add") await winner.add(path, same);
      else await winner.update(path, same, { patch: true });
    });
    await Deno.mkdir(r.ws.bucket, { recursive: true });
    const file = await writeFile(r.ws.dir, "mine.csv", command === "add" ? "same\n" : "one\n");
    if (command === "update") {
      await r.ws.vc.add(path, file);
      await writeFile(r.ws.dir, "mine.csv", "same\n");
    }
    const warnings: string[] = [];
    const onWarning = (w: { message: string }) => warnings.push(w.message);
    r.arm();
    const version = command === "add"
      ? await r.ws.vc.add(path, file, { onWarning })
      : (await r.ws.vc.update(path, file, { patch: true }, { onWarning })).to;
    const expected = command === "add" ? "1.0.0" : "1.0.1";
    assertEquals(version, expected);
    assertEquals(JSON.parse(await Deno.readTextFile(r.ws.manifest))[path], expected);
    assertEquals(
      await Deno.readTextFile(`${r.ws.bucket}/${prefix}${expected}.csv`),
      "same\n",
    );
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assert(
      warnings[0]!.includes("published by someone else meanwhile, with the same content"),
      warnings[0],
    );
  });
}
