/**
 * Several processes creating one new SQLite catalog at once (`vc repo init`
 * of several stores, or of one store, run together by a script; restores
 * into one new `--catalog sqlite:PATH`): one makes the repository and the
 * others are refused as on a taken catalog. Before, SQLite created the file
 * empty and wrote its first page a moment later, and a process opening it in
 * between was told the catalog was an empty file, damaged, to be rebuilt
 * with `vc repo restore SNAPSHOT --force`. Real processes, so the race is
 * real: bounded rounds (before, it showed in about one round in three), and a round
 * that refuses any of them otherwise fails the test.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";

const PROCESSES = 4;
const ROUNDS = 6;
const REPOSITORY = new URL("../src/repo/repository.ts", import.meta.url).href;

/** Runs `Repository.init(store, { catalog })` in a process of its own: "ok" or the error's message. */
async function initInChild(store: string, catalog: string): Promise<string> {
  const code = `import { Repository } from ${JSON.stringify(REPOSITORY)};
try {
  await (await Repository.init(${JSON.stringify(store)}, { catalog: ${
    JSON.stringify(catalog)
  } })).close();
  console.log("ok");
} catch (error) {
  console.log(error.message);
}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", code],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("repo: processes creating one new SQLite catalog at once: one repository, the rest refused as taken", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_sqlite_create_race_" });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const catalog = `sqlite:${join(dir, `c${round}.sqlite`)}`;
      const results = await Promise.all(
        Array.from(
          { length: PROCESSES },
          (_, i) => initInChild(`file://${join(dir, `r${round}-${i}`)}`, catalog),
        ),
      );
      const made = results.filter((r) => r === "ok").length;
      const refused = results.filter((r) => r.includes("already belongs to a vc repository"));
      assertEquals(
        { made, refused: refused.length, round },
        { made: 1, refused: PROCESSES - 1, round },
        results.join("\n"),
      );
      // The one made is a whole, working repository.
      const winner = results.indexOf("ok");
      await using repo = await Repository.open(`file://${join(dir, `r${round}-${winner}`)}`);
      assertEquals(await repo.list(), []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
