/**
 * A `vc repo add` killed (`kill -9`) while it uploads into a `file://`
 * store leaves its temp file in `content/XX/`. Under the CLI's permissions
 * (no `--allow-all`, so `/proc` cannot tell whether its pid is alive) the
 * sweep went by age only (a day): `vc repo gc` did not remove it and
 * `vc repo check` did not report it. A put now holds a lock on its temp
 * file while it writes, so a temp file nobody holds is a dead writer's:
 * check removes and reports it, gc removes it, and a live writer's temp
 * file and the real content stay.
 */
import { join } from "node:path";
import { AccessDeniedError } from "../src/errors.ts";
import { check } from "../src/repo/check.ts";
import { Repository } from "../src/repo/repository.ts";
import type { PendingUpload } from "../src/store/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { withUploads } from "./store_with_uploads.ts";

// The permissions `deno task vc` and the installed `vc` run with: no /proc.
const CLI_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--no-prompt",
];

// A writer that puts into the store and never finishes its body.
const WRITER = `
import { FsStore } from ${JSON.stringify(new URL("../src/store/fs.ts", import.meta.url).href)};
setInterval(() => {}, 60_000); // alive until killed
const store = new FsStore(Deno.args[0]);
const body = new ReadableStream({
  // Not zeros: a store leaves a run of zeros as a hole (no bytes yet).
  start(c) { c.enqueue(new Uint8Array(64 * 1024).fill(1)); },
  pull() { return new Promise(() => {}); },
});
await store.put(Deno.args[1], body);
`;

function tempsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) found.push(...tempsUnder(path));
    else if (e.name.includes(".vc-tmp-")) found.push(path);
  }
  return found;
}

async function startWriter(
  script: string,
  dir: string,
  key: string,
): Promise<Deno.ChildProcess> {
  const before = new Set(tempsUnder(dir));
  // `deno run`, not `deno eval` (which allows all): no look at /proc.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, script, dir, key],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const until = Date.now() + 20_000;
  for (;;) {
    const temp = tempsUnder(dir).find((t) => !before.has(t));
    if (temp !== undefined && Deno.statSync(temp).size > 0) return child;
    assert(Date.now() < until, "the writer never started its temp file");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function vc(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, new URL("../cli.ts", import.meta.url).pathname, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  return { code: out.code, json: JSON.parse(text) };
}

/** Makes every temp file under `dir` look written a minute ago (past the unlocked grace). */
function ageTemps(dir: string): void {
  const then = new Date(Date.now() - 60_000);
  for (const t of tempsUnder(dir)) Deno.utimeSync(t, then, then);
}

Deno.test({
  name: "repo: check reports and gc removes a killed add's temp file, never a live writer's",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_killed_add_" });
    const uri = `file://${dir}`;
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(script, WRITER);
    let live: Deno.ChildProcess | undefined;
    try {
      let kept: number;
      {
        await using repo = await Repository.init(uri);
        const r = await repo.add("/kept.bin", new Uint8Array([1, 2, 3]));
        await repo.publish(r.id);
        kept = r.id;
      }
      const dead = await startWriter(script, dir, "content/ab/dead.bin");
      dead.kill("SIGKILL");
      await dead.status;
      const deadTemp = tempsUnder(dir)[0]!;
      live = await startWriter(script, dir, "content/ab/live.bin");
      const liveTemp = tempsUnder(dir).find((t) => t !== deadTemp)!;
      ageTemps(dir);

      const checked = await vc(["repo", "check", "--json", "--repo", uri]);
      assertEquals(checked.code, 0);
      assertEquals(checked.json.removedTemps, [deadTemp.slice(dir.length + 1)]);
      assertEquals(
        tempsUnder(dir),
        [liveTemp],
        "the dead writer's temp file is gone, not the live one's",
      );

      // A second dead writer, collected by gc.
      const dead2 = await startWriter(script, dir, "content/cd/dead2.bin");
      dead2.kill("SIGKILL");
      await dead2.status;
      ageTemps(dir);
      const collected = await vc(["repo", "gc", "--json", "--repo", uri]);
      assertEquals(collected.code, 0);
      assertEquals((collected.json.removedTemps as string[]).length, 1);
      assertEquals(tempsUnder(dir), [liveTemp]);

      await using repo = await Repository.open(uri);
      const record = await repo.get(kept);
      assertEquals((await repo.store.head(record.contentKey))?.size, 3);
      assert((await repo.check()).ok);
    } finally {
      if (live !== undefined) {
        try {
          live.kill("SIGKILL");
        } catch {
          // gone already
        }
        await live.status;
      }
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(script);
    }
  },
});

Deno.test("repo check: reports the content uploads a killed add left open, without failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_uploads_" });
  const upload: PendingUpload = {
    key: "content/ab/killed.bin",
    uploadId: "u1",
    initiated: new Date(),
  };
  try {
    {
      await using repo = await Repository.init(`file://${dir}/a`, {
        openStore: withUploads(async function* () {
          yield upload;
        }),
      });
      const report = await check(repo);
      assertEquals(report.pendingUploads, [upload]);
      assert(report.ok, "an upload may be in flight: no failure");
    }
    await using refusing = await Repository.init(`file://${dir}/b`, {
      // deno-lint-ignore require-yield
      openStore: withUploads(async function* () {
        throw new AccessDeniedError("ListMultipartUploads: Access Denied");
      }),
    });
    const report = await check(refusing);
    assertEquals(report.pendingUploads, []);
    assertEquals(report.uploadsUnchecked, "ListMultipartUploads: Access Denied");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
