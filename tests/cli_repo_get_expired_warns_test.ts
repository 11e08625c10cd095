/**
 * `vc repo get ID --to FILE` (or `--local`, or `--to -`) of an expired
 * record served its content without a word: an expired record is no longer
 * for consumption (superseded, retired), and a worker holding an old id
 * read superseded data silently. It is still served, since it was asked for
 * by id (a rollback, a rerun), but stderr now says it is expired and how to
 * find the published version; a published record's get says nothing more.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

async function vc(env: Record<string, string>, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-prompt", "cli.ts", ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("vc repo get of an expired record serves it and warns that it is expired", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_get_expired_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    let oldId: number, newId: number;
    {
      await using repo = await Repository.init(uri);
      const bytes = new TextEncoder().encode("v1");
      oldId = (await repo.publish((await repo.add("/raw/a b.csv", bytes)).id)).id;
      newId = (await repo.publish((await repo.add("/raw/a b.csv", bytes)).id)).id;
      await repo.expire(oldId);
    }
    const env = { VC_REPO: uri, VC_CACHE_DIR: join(dir, "cache") };
    const out = join(dir, "out.csv");
    const expired = await vc(env, "repo", "get", String(oldId), "--to", out);
    assertEquals(expired.code, 0, expired.stderr);
    assertEquals(await Deno.readTextFile(out), "v1");
    assertStringIncludes(expired.stderr, `record ${oldId} (/raw/a b.csv) is expired`);
    assertStringIncludes(expired.stderr, "vc repo current '/raw/a b.csv'");

    const local = await vc(env, "repo", "get", String(oldId), "--local");
    assertEquals(local.code, 0, local.stderr);
    assertStringIncludes(local.stderr, "is expired");

    const published = await vc(env, "repo", "get", String(newId), "--to", out);
    assertEquals(published.code, 0, published.stderr);
    assertEquals(published.stderr.includes("expired"), false, published.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
