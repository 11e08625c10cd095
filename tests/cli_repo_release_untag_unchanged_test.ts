/**
 * `vc repo release ID --holder H --untag T --tag done` said `untagged T`
 * for a tag the record did not carry (a typo, `--untag tod0`), or carried
 * through its path: the record stayed `todo`, the next claim handed it out
 * again, and the worker's log said it was removed. Like `vc repo untag`, the
 * release now says only what it changed, and the rest apart on stderr.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo release --untag names a tag it did not remove apart", async () => {
  await withWorkspace(async (dir, _process, vc) => {
    const env = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    ok(await vc(["repo", "init"], env), "init");
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    const id = ok(
      await vc(["repo", "add", "/a.csv", join(dir, "a.csv"), "--tag", "todo"], env),
      "add",
    )
      .stdout.trim();
    ok(await vc(["repo", "publish", id], env), "publish");
    ok(await vc(["repo", "tag", "/a.csv", "urgent"], env), "path tag");
    // Claimed by its `todo` tag, then released with `--untag UNTAG --tag done`.
    const release = async (untag: string, what: string) => {
      const { holder } = JSON.parse(
        ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env), "claim")
          .stdout,
      );
      return ok(
        await vc(
          ["repo", "release", id, "--holder", holder, "--untag", untag, "--tag", "done"],
          env,
        ),
        what,
      );
    };

    const typo = await release("tod0", "release with a typo");
    assertEquals(typo.stdout.trim(), `released ${id} (tagged done)`);
    assertStringIncludes(typo.stderr, `not tagged ${id}: tod0`);

    const again = await release("todo,urgent", "release of a path's tag");
    assertEquals(again.stdout.trim(), `released ${id} (untagged todo)`);
    assertStringIncludes(again.stderr, `already tagged ${id}: done`);
    assertStringIncludes(again.stderr, "urgent is on its path: vc repo untag /a.csv urgent");
  });
});
