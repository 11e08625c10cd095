/**
 * The README's worker (Many machines), run as written, with a claim that
 * lapses mid-work: worker 1 claims, works past its ttl while worker 2
 * claims the record, then goes on with the README's next steps. Its steps
 * untagged `todo` and tagged `done` before the release (which alone was
 * refused), so the record worker 2 was processing was marked done by worker
 * 1; and a failed step went on to the next. The README's worker now stops
 * at a failed step (`set -e`) and marks the record done with the release
 * itself (`release --untag todo --tag done`), refused with no tag changed
 * when the claim is no longer its own: whether the claim lapses while it
 * processes (its renew is refused, and it stops) or after its renew, just
 * before its release.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, DENO_DIR, withWorkspace } from "./cli_process.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { commandAvailable } from "./command_available.ts";

const ROOT = new URL("..", import.meta.url);

const haveBashAndJq = ["bash", "jq"].every(commandAvailable);

/** The worker's lines of the README's Many machines block: from its claim to its release. */
async function readmeWorker(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const lines = readme.split("\n");
  const first = lines.findIndex((l) => l.startsWith("set -e ")); // then its claim
  const last = lines.findIndex((l, i) => i > first && l.startsWith('vc repo release "$id"'));
  assert(first >= 0 && last > first, "the README's worker block was not found");
  assert(lines[first + 1]!.startsWith("claim=$(vc repo claim --tag todo"), lines[first + 1]);
  return lines.slice(first, last + 1).join("\n");
}

/** Where worker 1 waits until worker 2 has taken the record: in its `process`, or before its release. */
type LapseAt = "process" | "release";

async function lapseMidWork(lapseAt: LapseAt) {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    assertEquals((await vc(["repo", "init"], env)).code, 0);
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    const id = (await vc(["repo", "add", "/a.csv", join(dir, "a.csv"), "--tag", "todo"], env))
      .stdout.trim();
    assertEquals((await vc(["repo", "publish", id], env)).code, 0);

    // Worker 1 runs the README's lines. Its claim (or, waiting before its
    // release, its renewal) lasts 0.3 s, and it waits (bounded) at `lapseAt`
    // until worker 2 has claimed the record, its claim having lapsed.
    const waiting = join(dir, "worker1-waits");
    const flag = join(dir, "worker2-claimed");
    const wait =
      `: > "${waiting}"; for _ in $(seq 1200); do [ -e "${flag}" ] && break; sleep 0.1; done`;
    const worker = (await readmeWorker()).split("\n").map((line) =>
      line.startsWith("claim=") && lapseAt === "release"
        ? line.replace("--ttl 5m", "--ttl 60")
        : line.replace("--ttl 5m", "--ttl 0.3")
    ).join("\n");
    const cli = `"${Deno.execPath()}" run ${PERMISSION_FLAGS.join(" ")} "${
      new URL("cli.ts", ROOT).pathname
    }"`;
    const script = [
      lapseAt === "release"
        ? `vc() { if [ "$2" = release ]; then ${wait}; fi; ${cli} "$@"; }`
        : `vc() { ${cli} "$@"; }`,
      lapseAt === "process" ? `process() { ${wait}; }` : "process() { :; }",
      worker,
    ].join("\n");
    const run = new Deno.Command("bash", {
      args: ["-c", script],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, { ...env, DENO_DIR, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" }),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).spawn();
    try {
      // Worker 2 starts once worker 1 waits (bounded).
      for (let i = 0; i < 1200; i++) {
        if (await Deno.stat(waiting).then(() => true, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Worker 2 claims the record once worker 1's claim lapsed (bounded).
      let second: { holder: string; until: string; record: { id: number } } | null = null;
      for (let i = 0; i < 60 && second === null; i++) {
        const out = await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env);
        assertEquals(out.code, 0, out.stderr);
        second = JSON.parse(out.stdout);
        if (second === null) await new Promise((r) => setTimeout(r, 200));
      }
      assert(second !== null, "worker 2 never claimed the record");
      assertEquals(String(second.record.id), id);
      await Deno.writeTextFile(flag, "");
      const done = await run.output();
      const stderr = new TextDecoder().decode(done.stderr);
      // Worker 2's record: still todo, not done, still held by worker 2.
      const shown = JSON.parse((await vc(["repo", "get", id, "--json"], env)).stdout);
      assertEquals([shown.tags, shown.claimedBy], [["todo"], second.holder], stderr);
      // Worker 1 was refused: by its renew (and stopped there), or by the
      // release that marks the record done.
      assertEquals(done.code, 1, stderr);
      assertStringIncludes(
        stderr,
        lapseAt === "process"
          ? `cannot renew the claim on record ${id}`
          : `holds it until ${second.until}`,
      );
      if (lapseAt === "release") assertStringIncludes(stderr, "its tags were not changed");

      // Worker 2 finishes with the README's release: done.
      const fin = await vc(
        ["repo", "release", id, "--holder", second.holder, "--untag", "todo", "--tag", "done"],
        env,
      );
      assertEquals(fin.code, 0, fin.stderr);
      const after = JSON.parse((await vc(["repo", "get", id, "--json"], env)).stdout);
      assertEquals([after.tags, after.claimedBy], [["done"], null]);
    } finally {
      await Deno.writeTextFile(flag, "").catch(() => {});
      await run.status;
    }
  });
}

Deno.test({
  name:
    "README worker: a claim that lapses while it processes does not mark the next worker's record done",
  ignore: !haveBashAndJq, // the README's steps run in bash with jq
  fn: () => lapseMidWork("process"),
});

Deno.test({
  name:
    "README worker: a claim that lapses before its release does not mark the next worker's record done",
  ignore: !haveBashAndJq, // the README's steps run in bash with jq
  fn: () => lapseMidWork("release"),
});
