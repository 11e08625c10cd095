/**
 * A tag holding a character a terminal draws as nothing (a zero-width space
 * or a soft hyphen pasted with it from a chat or a web page): every listing
 * showed it as `raw`, yet `find --any raw` and `claim --tag raw` never took
 * the record, a lookalike the Unicode spelling check (NFC, the Kelvin sign)
 * let through. Setting one is refused now; a tag a catalog already holds
 * can still be found and removed. Joiners of emoji and scripts stay allowed.
 */
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("repo add --tag and repo tag refuse a tag with an invisible character", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await ws.write("f.csv", "x\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const id = (await ws.run(["repo", "add", "/p.csv", "f.csv", "--tag", "eu"], env)).stdout.trim();

  const zwsp = await ws.run(["repo", "tag", id, "raw\u200b"], env);
  assertFailure(zwsp, 1, 'tag "raw\\u200b" holds U+200B');
  const shy = await ws.run(["repo", "tag", "/p.csv", "ra\u00adw"], env);
  assertFailure(shy, 1, "holds U+00AD");
  const added = await ws.run(["repo", "add", "/q.csv", "f.csv", "--tag", "to\u2060do"], env);
  assertFailure(added, 1, "holds U+2060");
  assertEquals(added.stdout, "");

  // Emoji joined by ZWJ, and one with its variation selector, are tags.
  for (const tag of ["\u{1f468}\u200d\u{1f469}", "\u2764\ufe0f"]) {
    const emoji = await ws.run(["repo", "tag", id, tag], env);
    assertEquals(emoji.code, 0, emoji.stderr);
  }
  const record = (await ws.run(["repo", "get", id, "--json"], env)).json<{ tags: string[] }>();
  assertEquals(record.tags.length, 3);
  const ls = (await ws.run(["repo", "ls", "--json"], env)).json<unknown[]>();
  assertEquals(ls.length, 1);
});
