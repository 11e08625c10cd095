/**
 * `vc repo claim --ttl 400d` (or `renew`) is over the 366 days a claim may
 * last: it was found by the repository after it opened, a failure (exit 1)
 * said in milliseconds (`claim ttl 34560000000 ms is longer than ...`), not
 * naming the flag or what was typed; with a repository out of reach it was
 * hidden behind that error. It is now a usage error (exit 2) naming
 * `--ttl "400d"`, said before the repository is looked at, as a ttl under
 * 1 ms is. Run as the `vc` process. Its hint, "renew the claim instead",
 * was given to `renew` too, the command it refused: each now says its own.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo claim and renew refuse a ttl over 366 days as a usage error", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 2);
    // No repository there: the flag is refused before it is looked at.
    const env = { VC_REPO: `file://${dir}/no-repo` };
    for (
      const args of [
        ["repo", "claim", "--ttl", "400d"],
        ["repo", "renew", "7", "--holder", "w1", "--ttl", "400d"],
        ["repo", "claim", "--ttl", "31708800"], // 367 days, in seconds
      ]
    ) {
      const r = await vc(args, env);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, `--ttl "${args.at(-1)}" is longer than the 366 days`);
      // The way on: a renew is not told to renew instead (the command refused).
      assertStringIncludes(
        r.stderr,
        args[1] === "renew"
          ? "renew it for less, and again before that runs out"
          : "claim for less, and renew the claim before that runs out",
      );
      assert(!r.stderr.includes(" ms "), r.stderr);
      assert(!r.stderr.includes("not a vc repository"), r.stderr);
    }
    // 366 days is still taken (the repository's absence is what fails).
    const max = await vc(["repo", "claim", "--ttl", "366d"], env);
    assertEquals(max.code, 1, max.stderr);
    assertStringIncludes(max.stderr, "no-repo");
  });
});
