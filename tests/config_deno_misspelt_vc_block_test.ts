/**
 * A `deno.json` whose block of vc settings is keyed `"VC"`, `"vc "` or
 * `"vcs"` was read as having no `"vc"` block at all: the walk went on to a
 * parent directory's settings or the user config file, and `vc add`
 * published to that other bucket without a word. Such a block (a key one
 * edit from `"vc"` holding only vc's settings) is now refused naming the
 * file and the key, as a misspelt key inside the block is. A key near
 * `"vc"` that holds another tool's settings is Deno's business, and the
 * walk goes on as before.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { findProjectConfig } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("findProjectConfig: a deno.json block of vc settings under a misspelt key is refused, naming it", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/app`);
    // The parent's settings, which the walk used to reach instead.
    await Deno.writeTextFile(`${dir}/vc.json`, '{"bucket": "parent-bucket"}');
    for (const key of ["VC", "Vc", "vc ", "vcs", "cv"]) {
      await Deno.writeTextFile(
        `${dir}/app/deno.json`,
        JSON.stringify({ tasks: {}, [key]: { bucket: "team-assets", timeout: "1h" } }),
      );
      const error = assertThrows(() => findProjectConfig(`${dir}/app`), ConfigFileError);
      assertEquals(error.path, `${dir}/app/deno.json`);
      assert(error.message.includes(`${dir}/app/deno.json`), error.message);
      assert(error.message.includes(JSON.stringify(key)), error.message);
      assert(error.message.includes('rename it "vc"'), error.message);
      // "(lowercase)" only where the case is what differs.
      assertEquals(error.message.includes("lowercase"), key !== key.toLowerCase(), error.message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findProjectConfig: a key near \"vc\" holding another tool's settings is not vc's", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/app`);
    await Deno.writeTextFile(`${dir}/vc.json`, '{"bucket": "parent-bucket"}');
    for (
      const block of [
        { vs: { timeout: 5, retries: 2 } },
        { vs: { timeout: 5 } },
        { VC: "1.2.3" },
        { v: [1] },
        // A manifest or a profile is many tools' word: not vc's alone.
        { cv: { manifest: "resume.json", profile: "me" } },
        { c: { manifest: "app.webmanifest" } },
      ]
    ) {
      await Deno.writeTextFile(`${dir}/app/deno.json`, JSON.stringify(block));
      assertEquals(findProjectConfig(`${dir}/app`)?.path, `${dir}/vc.json`);
    }
    // A vc.json beside it wins, and nothing is refused.
    await Deno.writeTextFile(`${dir}/app/deno.json`, '{"VC": {"bucket": "x"}}');
    await Deno.writeTextFile(`${dir}/app/vc.json`, '{"bucket": "own"}');
    assertEquals(findProjectConfig(`${dir}/app`)?.config.bucket, "s3://own");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('vc add: a deno.json "VC" block fails the command rather than publish to another bucket', async () => {
  await using ws = await CliWorkspace.create();
  // The user config file names another bucket, which the add went to.
  await ws.write("home/.config/vc/config.json", JSON.stringify({ bucket: "./user-bucket" }));
  await ws.write("deno.json", JSON.stringify({ VC: { bucket: "./bucket" } }));
  await ws.write("a.csv", "x");
  const r = await ws.run(["add", "/a.csv", "a.csv"]);
  assertEquals(r.code, 1, r.stderr);
  assert(r.stderr.includes('"VC"') && r.stderr.includes('rename it "vc"'), r.stderr);
  assertEquals(await exists(`${ws.dir}/home/.config/vc/user-bucket`), false);
});
