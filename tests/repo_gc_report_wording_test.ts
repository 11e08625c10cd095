/**
 * `vc repo gc`'s report: a dry run says what it would do ("would expire 1
 * superseded"), a real run what it did ("expired 1 superseded"), in the past
 * tense as every other command's report. It used to print the bare verb
 * ("expire 1 superseded", "purge 0 expired"), which reads as an instruction.
 */
import { join } from "node:path";
import { assert, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo gc: the dry run says 'would …', the real run reports in the past tense", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "v1.csv"), "a\n1\n");
    await Deno.writeTextFile(join(dir, "v2.csv"), "a\n2\n");
    ok(await vc(["repo", "init"], env), "init");
    const first = ok(await vc(["repo", "add", "/t.csv", "v1.csv"], env), "add v1").stdout.trim();
    const second = ok(await vc(["repo", "add", "/t.csv", "v2.csv"], env), "add v2").stdout.trim();
    ok(await vc(["repo", "publish", first], env), "publish v1");
    ok(await vc(["repo", "publish", second], env), "publish v2");

    const dry = ok(await vc(["repo", "gc", "--dry-run"], env), "gc --dry-run").stdout;
    assertStringIncludes(dry, `would expire 1 superseded: ${first}`);
    assertStringIncludes(dry, "would purge 0 expired");
    assertStringIncludes(dry, "would delete 0 content objects");

    const real = ok(await vc(["repo", "gc"], env), "gc").stdout;
    assertStringIncludes(real, `expired 1 superseded: ${first}`);
    assertStringIncludes(real, "purged 0 abandoned unpublished");
    assertStringIncludes(real, "purged 0 expired");
    assertStringIncludes(real, "deleted 0 content objects");
    // No line of a real run reads as a command to run.
    for (const line of real.trim().split("\n")) {
      assert(!/^(expire|purge|delete|abort) /.test(line), `bare verb in: ${line}`);
    }
  });
});
