/**
 * What the repository names for people: a dry-run gc's phases say what it
 * looks for (not "deleting ..." when nothing is deleted), and backups taken
 * in the same millisecond get a name each instead of failing on each other's,
 * named a millisecond later, so that they sort in the order they were taken.
 */
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";

Deno.test("repo gc --dry-run names its phases by what it looks for, not as done", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using repo = await Repository.init(`file://${dir}`);
    const dry: string[] = [];
    await repo.gc({ dryRun: true, onPhase: (p) => dry.push(p) });
    assertEquals(dry.length >= 3, true, dry.join(" | "));
    for (const p of dry) {
      assertEquals(p.startsWith("finding "), true, p);
      assertEquals(p.endsWith("(dry run: nothing is changed)"), true, p);
    }
    const real: string[] = [];
    await repo.gc({ onPhase: (p) => real.push(p) });
    assertEquals(real.slice(0, 4), [
      "listing content",
      "expiring superseded versions",
      "purging abandoned and retired records",
      "deleting unreferenced content",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo backups taken in the same millisecond get names of their own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = { now: () => Date.UTC(2026, 11, 1), sleep: () => Promise.resolve() };
    await using repo = await Repository.init(`file://${dir}`, { clock });
    const uris = [(await repo.backup()).uri, (await repo.backup()).uri, (await repo.backup()).uri];
    assertEquals(new Set(uris).size, 3, uris.join(" "));
    // In creation order as `ls | tail -1` and `aws s3 ls` sort them (bytes,
    // and a locale's collation, which passes over punctuation): a `-2`
    // suffix sorted before the first name, so the newest was not last.
    const names = (await Array.fromAsync(Deno.readDir(`${dir}/backups`))).map((e) => e.name)
      .filter((name) => !name.startsWith(".")); // as ls lists them
    const inOrder = uris.map((u) => u.slice(u.lastIndexOf("/") + 1));
    assertEquals(names.toSorted(), inOrder);
    assertEquals(names.toSorted((a, b) => a.localeCompare(b, "en")), inOrder);
    assertEquals(inOrder[1], "catalog-2026-12-01T00-00-00-001Z.jsonl.gz");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
