/**
 * A repository copied with its marker (`aws s3 sync` of an S3 one, `cp -a` of
 * a directory one whose catalog lies outside it) names the original's
 * catalog. Used through the copy, that catalog got records whose content only
 * the copy held (the original's `check` then found content missing), and the
 * copy's purges purged the original's records. The copy is refused, naming
 * the original, and a restore into a catalog of its own makes it a
 * repository of its own. (A directory repository with its catalog beside its
 * content takes its copy of the catalog: repo_copied_directory_test.ts.)
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

async function copyTree(from: string, to: string): Promise<void> {
  const cp = await new Deno.Command("cp", { args: ["-a", from, to] }).output();
  assertEquals(cp.code, 0, new TextDecoder().decode(cp.stderr));
}

Deno.test("a copied repository whose catalog the original keeps is refused instead of using it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const orig = `file://${dir}/orig`;
    const copy = `file://${dir}/copy`;
    {
      await using repo = await Repository.init(orig, { catalog: `sqlite:${dir}/shared.sqlite` });
      await repo.add("/x.txt", new TextEncoder().encode("x"));
    }
    await copyTree(`${dir}/orig`, `${dir}/copy`);

    const error = await assertRejects(() => Repository.open(copy), InvalidInputError);
    assertStringIncludes(error.message, `${copy} is a copy of the vc repository at ${orig}`);
    assertStringIncludes(error.message, `${dir}/shared.sqlite`);

    // A forced restore into the copy with the marker's catalog would replace
    // the original's records: refused the same way.
    await using original = await Repository.open(orig);
    const snapshot = (await original.backup()).uri;
    await assertRejects(
      () => Repository.restore(copy, snapshot, { force: true }),
      InvalidInputError,
      "is a copy of the vc repository",
    );
    assertEquals((await original.list()).map((r) => r.path), ["/x.txt"]);

    // The way out the message names: a catalog of its own.
    await Repository.restore(copy, snapshot, { catalog: `sqlite:${dir}/copy.sqlite` });
    {
      await using copied = await Repository.open(copy);
      await copied.add("/y.txt", new TextEncoder().encode("y"));
      assertEquals((await copied.list()).map((r) => r.path).sort(), ["/x.txt", "/y.txt"]);
    }
    assertEquals((await original.list()).map((r) => r.path), ["/x.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a directory repository reached through a symbolic link, or moved, still opens", async () => {
  const dir = await Deno.makeTempDir();
  try {
    {
      await using repo = await Repository.init(`file://${dir}/orig`, {
        catalog: `sqlite:${dir}/catalog.sqlite`,
      });
      await repo.add("/x.txt", new TextEncoder().encode("x"));
    }
    await Deno.symlink(`${dir}/orig`, `${dir}/link`);
    {
      await using linked = await Repository.open(`file://${dir}/link`);
      assertEquals((await linked.list()).length, 1);
    }
    await Deno.rename(`${dir}/orig`, `${dir}/moved`);
    await using moved = await Repository.open(`file://${dir}/moved`);
    assertEquals((await moved.list()).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
