/**
 * A `--catalog sqlite:PATH` that names a directory by its shape (ending in
 * `/`, `/.` or `/..`) is refused before anything is made, naming what to
 * give. Before, `vc repo init --catalog sqlite:/srv/cat/` had SQLite create a
 * file `/srv/cat` (the name without its slash), then failed on it with
 * "Not a directory (os error 20): stat '/srv/cat/'", the stray file left.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("repo init: a sqlite: catalog path naming a directory is refused, creating nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cat_dir_path_" });
  try {
    const catalog = `sqlite:${join(dir, "cat")}/`;
    const error = await assertRejects(
      () => Repository.init(`file://${join(dir, "repo")}`, { catalog }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, catalog);
    assertStringIncludes(error.message, "names a directory");
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo catalog: parseCatalogRef refuses a path shaped as a directory, on every platform", () => {
  for (
    const text of ["sqlite:/srv/cat/", "sqlite:cat/", "sqlite:/srv/.", "sqlite:/srv/..", "sqlite:."]
  ) {
    assertThrows(() => parseCatalogRef(text, "h", "/srv", "linux"), InvalidInputError, text);
  }
  for (const text of ["sqlite:C:\\srv\\cat\\", "sqlite:C:/srv/cat/", "sqlite:C:\\srv\\.."]) {
    assertThrows(() => parseCatalogRef(text, "h", "C:\\", "windows"), InvalidInputError, text);
  }
  // A file name with dots is a file.
  assertEquals(parseCatalogRef("sqlite:/srv/c..sqlite", "h", "/", "linux"), {
    kind: "sqlite",
    path: "/srv/c..sqlite",
    host: "h",
  });
});
