/**
 * A repository or a mirror used after `close()` says so, as a `VcError`
 * naming what was closed, where SQLite's raw "database is not open" leaked.
 */
import { join } from "node:path";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { VcError } from "../src/errors.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { Mirror } from "../src/mirror/mod.ts";

Deno.test("a closed repository rejects with a CatalogUnavailableError saying it was closed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const repo = await Repository.init(`file://${dir}`);
    await repo.add("/a", new Uint8Array([1]));
    await repo.close();
    const e = await assertRejects(() => repo.list(), CatalogUnavailableError);
    assertStringIncludes(e.message, "was closed");
    await assertRejects(() => repo.add("/b", new Uint8Array([2])), CatalogUnavailableError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed mirror rejects with a VcError saying it was closed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "src"));
    const mirror = await Mirror.open({
      sources: [join(dir, "src")],
      target: `file://${dir}/bucket`,
      statePath: join(dir, "state.sqlite"),
    });
    await mirror.close();
    const e = await assertRejects(() => mirror.run(), VcError);
    assertStringIncludes(e.message, "was closed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
