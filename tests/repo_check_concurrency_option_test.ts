/**
 * `Repository.check` takes the `concurrency` its exported `CheckOptions`
 * type names ("records looked at at once, default 16"): it was refused as an
 * unknown option, so the type advertised a knob no call accepted, and a
 * catalog of millions of records on a slow store could not be checked with
 * more HEADs in flight (nor a throttled one with fewer).
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { type CheckOptions, Repository } from "../src/repo/mod.ts";

Deno.test("Repository.check takes CheckOptions' concurrency, and refuses one that is no positive integer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_check_concurrency_" });
  try {
    await using repo = await Repository.init(`file://${dir}`);
    for (const name of ["a", "b", "c"]) {
      await repo.add(`/${name}.txt`, new TextEncoder().encode(name));
    }
    const options: CheckOptions = { concurrency: 1 };
    const report = await repo.check(options);
    assertEquals([report.records, report.ok], [3, true]);
    for (const concurrency of [0, 1.5, -2, Number.NaN]) {
      await assertRejects(() => repo.check({ concurrency }), InvalidInputError, "concurrency");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
