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
