/**
 * `vc prefill` with no usable AWS credentials (a profile that does not
 * exist) printed the same long credentials error, with its hint, for each
 * item (20 lines of it, then a count), and tried every item. Credentials are
 * the same for every item of a store: after the first such failure the
 * store's other items fail at once, each with a short reference to the first,
 * and the long error is said once.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { writeSharedFiles } from "./aws_shared_files.ts";

Deno.test("vc prefill with no usable credentials says the credentials error once", async () => {
  await withWorkspace(async (dir, vc) => {
    const { env } = await writeSharedFiles(dir, {
      config: "[profile lab]\nregion = us-east-1\n",
      credentials: "",
      profile: "lba",
    });
    const list = `${dir}/list.txt`;
    await Deno.writeTextFile(
      list,
      Array.from({ length: 30 }, (_, i) => `s3://bkt/k${i}.txt\n`).join(""),
    );
    const run = await vc(["prefill", "--list", list, "--json"], {
      ...env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    assertEquals(run.code, 1, run.stderr);
    const failed: Array<{ error: string; errorName: string }> = JSON.parse(run.stdout).failed;
    assertEquals(failed.length, 30);
    const long = failed.filter((f) => f.error.includes("Could not load credentials"));
    assertEquals(long.length, 1, JSON.stringify(failed.slice(0, 3)));
    const rest = failed.filter((f) => !f.error.includes("Could not load credentials"));
    for (const f of rest) {
      assertStringIncludes(f.error, "no usable AWS credentials for s3://bkt");
      assert(f.error.length < 200, f.error);
    }
    assertEquals([...new Set(failed.map((f) => f.errorName))], ["AccessDeniedError"]);
    const text = await vc(["prefill", "--list", list], {
      ...env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    assertEquals(text.stderr.split("Could not load credentials").length, 2, text.stderr);
  });
});
