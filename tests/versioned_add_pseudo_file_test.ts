/**
 * A file whose stated size is not what it reads (`/proc/version`: size 0,
 * a line of text) was refused by `vc add` / `vc update` as "changed while
 * it was hashed; run the command again", which no re-run changes. It is now
 * refused as such a file, saying to publish a copy, and nothing is published.
 */
import { InvalidInputError } from "../src/errors.ts";
import { SourceChangedError } from "../src/versioned/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

const PSEUDO = "/proc/version";
const ignore = Deno.build.os !== "linux";
const SAYS = "reads as";

Deno.test({
  name:
    "vc add of a /proc file: refused as a file whose size is not what it reads, nothing published",
  ignore,
  async fn() {
    await using ws = await workspace();
    const e = await assertRejects(() => ws.vc.add("/v.txt", PSEUDO), InvalidInputError);
    assert(!(e instanceof SourceChangedError), e.message);
    assertStringIncludes(e.message, `${PSEUDO} ${SAYS}`);
    assertStringIncludes(e.message, "copy it to a regular file");
    assertEquals(await Deno.readTextFile(ws.manifest).catch(() => "none"), "none");
    const published = await Array.fromAsync(Deno.readDir(ws.bucket)).catch(() => []);
    assertEquals(published.filter((d) => !d.name.startsWith(".")), []);
  },
});
