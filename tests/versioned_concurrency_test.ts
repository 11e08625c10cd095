/**
 * Concurrent publishing from real processes: the manifest's read-modify-write
 * is guarded by a cross-process lock, so no process's entry is lost and none
 * reports success for an entry that did not land.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const N = 8;

Deno.test("8 parallel `vc add` processes of different paths all land in the manifest; parallel `update --patch` rounds too", async () => {
  await withWorkspace(async (dir, vc) => {
    for (let i = 0; i < N; i++) await Deno.writeTextFile(join(dir, `f${i}.txt`), `file ${i}\n`);
    const adds = await Promise.all(
      Array.from({ length: N }, (_, i) => vc(["add", `/multi/f${i}.txt`, `f${i}.txt`])),
    );
    adds.forEach((run, i) => ok(run, `add ${i}`));
    const manifest = () =>
      Deno.readTextFile(join(dir, "versioned_assets.json")).then((t) =>
        JSON.parse(t) as Record<string, string>
      );
    const expect = (version: string) =>
      Object.fromEntries(Array.from({ length: N }, (_, i) => [`/multi/f${i}.txt`, version]));
    assertEquals(await manifest(), expect("1.0.0"));
    for (let round = 1; round <= 2; round++) {
      for (let i = 0; i < N; i++) {
        await Deno.writeTextFile(join(dir, `f${i}.txt`), `file ${i} round ${round}\n`);
      }
      const updates = await Promise.all(
        Array.from(
          { length: N },
          (_, i) => vc(["update", "--patch", `/multi/f${i}.txt`, `f${i}.txt`, "--json"]),
        ),
      );
      updates.forEach((run, i) => {
        ok(run, `round ${round} update ${i}`);
        assertEquals((JSON.parse(run.stdout) as { to: string }).to, `1.0.${round}`);
      });
      assertEquals(await manifest(), expect(`1.0.${round}`));
    }
  });
});

// The lock file was rewritten under the manifest's lock only: `vc add` in
// two manifests that share one lock file (`--lock`, `VC_LOCK`) each read it,
// added their entry and wrote it back, and one entry was lost (10 adds in 5
// manifests left 6 entries): frozen mode then refused the pinned versions,
// and a replaced object went unchecked.
Deno.test("parallel `vc add` processes in several manifests sharing one lock file all land in it", async () => {
  await withWorkspace(async (dir, vc) => {
    for (let i = 0; i < N; i++) await Deno.writeTextFile(join(dir, `g${i}.txt`), `file ${i}\n`);
    const adds = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        vc([
          "add",
          `/shared/g${i}.txt`,
          `g${i}.txt`,
          "--manifest",
          `m${i % 4}.json`,
          "--lock",
          "shared.lock.json",
        ])),
    );
    adds.forEach((run, i) => ok(run, `add ${i}`));
    const locked = JSON.parse(await Deno.readTextFile(join(dir, "shared.lock.json")));
    assertEquals(
      Object.keys(locked).sort(),
      Array.from({ length: N }, (_, i) => `/shared/g${i}.txt@1.0.0`).sort(),
    );
  });
});

Deno.test("a manifest and its own lock file share one cross-process lock: no second lock file beside them", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "a\n");
    ok(await vc(["add", "/a.txt", "a.txt"]), "add");
    const dotfiles = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("."));
    assertEquals(dotfiles, [".versioned_assets.json.lock"]);
  });
});
