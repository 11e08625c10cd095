/**
 * A version missing from the middle of a long history (`vc path /t.csv 3.5.0`
 * of a path with hundreds of versions, 3.5.0 never published or deleted)
 * failed listing only the count and the latest 20 versions, none of them
 * near the one asked for: the user could not tell whether 3.4.0 or 3.6.0
 * exists without `vc versions`. The error now names the versions on either
 * side of it.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

Deno.test("a version missing from a long history names its neighbours", async () => {
  await using ws = await workspace();
  await Deno.mkdir(ws.bucket, { recursive: true });
  for (let major = 1; major <= 9; major++) {
    for (let minor = 0; minor < 10; minor++) {
      if (major === 3 && minor === 5) continue;
      await Deno.writeTextFile(join(ws.bucket, `t.${major}.${minor}.0.csv`), `${major}.${minor}\n`);
    }
  }
  const gap = await assertRejects(() => ws.vc.path("/t.csv", "3.5.0"), NotFoundError);
  assertStringIncludes(gap.message, "89 versions");
  assertStringIncludes(gap.message, "the nearest: 3.4.0 below it, 3.6.0 above it");
  assertStringIncludes(gap.message, "the latest 20: 8.0.0, ");
  // Below the lowest: only the one above; above the latest: the latest 20 say it.
  const low = await assertRejects(() => ws.vc.path("/t.csv", "0.1.0"), NotFoundError);
  assertStringIncludes(low.message, "the nearest: 1.0.0 above it");
  const high = await assertRejects(() => ws.vc.path("/t.csv", "10.0.0"), NotFoundError);
  assert(!high.message.includes("the nearest"), high.message);
});

Deno.test("a short history is listed whole, with no neighbours named", async () => {
  await using ws = await workspace();
  await Deno.mkdir(ws.bucket, { recursive: true });
  for (const v of ["1.0.0", "1.2.0"]) {
    await Deno.writeTextFile(join(ws.bucket, `t.${v}.csv`), `${v}\n`);
  }
  const error = await assertRejects(() => ws.vc.path("/t.csv", "1.1.0"), NotFoundError);
  assertStringIncludes(error.message, "available: 1.0.0, 1.2.0");
  assert(!error.message.includes("the nearest"), error.message);
});
