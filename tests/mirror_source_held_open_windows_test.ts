// A local → store mirror reading a source file another program holds open
// on Windows without sharing it for reading (a database or mail store open
// in its program, a file a program keeps locked while it writes it):
// Windows refuses the read with a sharing violation (os error 32). The
// failure said only the system's words, with no way out, where every other
// failure of the report says what to do. Now it says another program has
// it open, that the next run mirrors it once it is closed, and how to leave
// it out; the rest of the tree is mirrored. The Windows strategy's LOGIC,
// run on Linux by switching `fsPlatform.mandatoryLocks` and making the
// reads of that one file fail as Windows does.
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { failure } from "../src/mirror/report.ts";
import { settle, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";
import { storeWith } from "./mirror_clash_helpers.ts";

/** Runs `fn` as on Windows with `held` open elsewhere, unshared: every open and read of it refused. */
async function whileHeldExclusively<T>(held: string, fn: () => Promise<T>): Promise<T> {
  const saved = {
    open: Deno.open,
    openSync: Deno.openSync,
    readFile: Deno.readFile,
    readFileSync: Deno.readFileSync,
  };
  const refuse = () =>
    new Error(
      "The process cannot access the file because it is being used by another process. " +
        `(os error 32): open '${held}'`,
    );
  Deno.open = (p, o) => String(p) === held ? Promise.reject(refuse()) : saved.open(p, o);
  Deno.openSync = (p, o) => {
    if (String(p) === held) throw refuse();
    return saved.openSync(p, o);
  };
  Deno.readFile = (p, o) => String(p) === held ? Promise.reject(refuse()) : saved.readFile(p, o);
  Deno.readFileSync = (p) => {
    if (String(p) === held) throw refuse();
    return saved.readFileSync(p);
  };
  try {
    return await withFsPlatform({ mandatoryLocks: true }, fn);
  } finally {
    Object.assign(Deno, saved);
  }
}

Deno.test("mirror local → store (Windows logic): a source file another program holds open fails saying so; the rest is mirrored", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a/mail.pst": "pst", "a/b.csv": "b" });
  await settle();
  await using store = await storeWith({});
  const r = await whileHeldExclusively(
    join(src, "a/mail.pst"),
    () =>
      mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db"), racyWindowMs: 0 }),
  );
  assertEquals(r.failed.map((f) => f.key), ["a/mail.pst"]);
  assertMatch(r.failed[0]!.error, /another program has it open/);
  assertMatch(r.failed[0]!.error, /close it/);
  assertMatch(r.failed[0]!.error, /--exclude/);
  assertEquals(await storeContents(store), { "a/b.csv": "b" });
});

Deno.test("mirror failure (Windows logic): a Busy that already says another program has it open is not said twice", async () => {
  const busy = new Deno.errors.Busy(
    "cannot remove /t/b: another program has it open (Windows refuses to remove an open file); " +
      "close it and try again",
  );
  const f = await withFsPlatform({ mandatoryLocks: true }, () => failure("b", "/t/b", busy));
  assertEquals(f.error.match(/another program has it open/g)?.length, 1, f.error);
});

Deno.test("mirror store → local (Windows logic): a target file held open is said as held, not as a permission to grant", async () => {
  await using w = await tempDir();
  await using store = await storeWith({ "a.csv": "1", "b.csv": "1" });
  const target = join(w.dir, "t");
  const options = { sources: [store], target, statePath: join(w.dir, "s.db") };
  assertEquals((await mirror(options)).transferred, 2);
  await store.put("a.csv", new TextEncoder().encode("22"));
  await store.put("b.csv", new TextEncoder().encode("22"));
  // Excel has a.csv open: Windows refuses to replace it ("Access is denied").
  const held = join(target, "a.csv");
  const { renameSync } = Deno;
  Deno.renameSync = (from, to) => {
    if (String(to) === held) {
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    }
    renameSync(from, to);
  };
  let r;
  try {
    r = await withFsPlatform({ mandatoryLocks: true }, () => mirror(options));
  } finally {
    Deno.renameSync = renameSync;
  }
  assertEquals(r.failed.map((f) => f.key), ["a.csv"]);
  assertMatch(r.failed[0]!.error, /another program has it open/);
  assertEquals(/give the user vc runs access/.test(r.failed[0]!.error), false, r.failed[0]!.error);
  assertEquals(await Deno.readTextFile(join(target, "b.csv")), "22");
  assertEquals(await Deno.readTextFile(held), "1", "the old one kept");
});
