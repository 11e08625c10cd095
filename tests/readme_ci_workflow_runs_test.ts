/**
 * The README's CI jobs for prefill (GitHub Actions, GitLab CI) are pasted as
 * they are, so they must work as they are. The GitHub workflow used to be a
 * fragment: no checkout, no Deno, and a `deno task prefill` whose task runs a
 * `vc` no step had installed. It kept the cache with `actions/cache`, whose
 * save runs only when the whole job succeeded: a prefill with one missing
 * item (exit 1) saved nothing, so every later run downloaded everything
 * again. GitLab caches only paths inside the project directory, so vc's
 * default cache dir cannot be kept there at all.
 *
 * Each job's prefill command is run here as written (its `jsr:@vc/vc/cli`
 * taken from this checkout, the registry being out of reach), with the job's
 * variables, against a fake S3 bucket named as the job names it: a missing
 * item fails it (exit 1, named once) while the others are cached in the
 * directory the job keeps, and a rerun from that warm cache sends no request.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DENO_DIR } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function readmeYamlBlocks(): Promise<string[]> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** `KEY: VALUE` lines of a block (every occurrence), values unquoted, comments dropped. */
function yamlValues(block: string, key: string): string[] {
  return [...block.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(.+?)\\s*(?:#.*)?$`, "gm"))]
    .map((m) => m[1]!.replace(/^(["'])(.*)\1$/, "$2"));
}

/** The variables a block sets (`NAME: value` with an upper-case name), secrets left out. */
function jobVariables(block: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of block.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*(.+?)\s*(?:#.*)?$/gm)) {
    const value = m[2]!.replace(/^(["'])(.*)\1$/, "$2");
    if (!value.includes("${{")) vars[m[1]!] = value;
  }
  return vars;
}

/** The block's one shell line that runs the prefill. */
function prefillLine(block: string): string {
  const lines = [...block.matchAll(/^\s*-?\s*(?:run:\s*)?(deno (?:run|task)\b.*\bprefill\b.*)$/gm)]
    .map((m) => m[1]!.replace(/\s+#.*$/, ""));
  assertEquals(lines.length, 1, `one prefill command in:\n${block}`);
  return lines[0]!;
}

/**
 * Runs a job's prefill line in `project` with the job's variables (as the
 * runner expands them: `expand`) over a clean environment, `jsr:@vc/vc/cli`
 * being this checkout's cli.ts.
 */
async function runJobLine(
  line: string,
  project: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  assertStringIncludes(line, "jsr:@vc/vc/cli", "the job needs no vc installed beforehand");
  const local = line.replace(
    "jsr:@vc/vc/cli",
    `--config ${join(ROOT, "deno.json")} ${join(ROOT, "cli.ts")}`,
  );
  const out = await new Deno.Command("bash", {
    args: ["-c", local],
    cwd: project,
    clearEnv: true,
    env: {
      PATH: `${dirname(Deno.execPath())}:/usr/bin:/bin`,
      DENO_DIR,
      DENO_NO_UPDATE_CHECK: "1",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * A project whose manifest pins two objects of the job's bucket and one the
 * bucket lacks; runs the job twice (the second time with the missing entry
 * dropped from the manifest) and checks what a CI run would see.
 */
async function checkJob(
  name: string,
  line: string,
  jobVars: Record<string, string>,
  cachedDir: (project: string, home: string) => string,
): Promise<void> {
  const bucket = jobVars.VC_BUCKET?.replace(/^s3:\/\//, "");
  assert(bucket !== undefined, `${name}: the job names its bucket (VC_BUCKET)`);
  await using s3 = await startFakeS3({ buckets: [bucket] });
  await s3.putObject(bucket, "data/a.1.0.0.csv", "a,1\n");
  await s3.putObject(bucket, "data/b.1.0.0.csv", "b,2\n");
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-readme-ci-job-" }));
  try {
    const project = join(dir, "project");
    const home = join(dir, "home");
    await Deno.mkdir(project);
    await Deno.mkdir(home);
    const manifest = join(project, "versioned_assets.json");
    const pins = { "/data/a.csv": "1.0.0", "/data/b.csv": "1.0.0" };
    await Deno.writeTextFile(manifest, JSON.stringify({ ...pins, "/data/gone.csv": "1.0.0" }));
    // The runner expands GitLab's $CI_PROJECT_DIR; GitHub leaves `~` to vc.
    const vars = Object.fromEntries(
      Object.entries(jobVars).map(([k, v]) => [k, v.replaceAll("$CI_PROJECT_DIR", project)]),
    );
    const env = {
      HOME: home,
      ...vars,
      AWS_ENDPOINT_URL: s3.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    };
    const first = await runJobLine(line, project, env);
    assertEquals(first.code, 1, `${name}: a missing item fails the job\n${first.stderr}`);
    assertEquals(first.stderr.split("/data/gone.csv: version").length - 1, 1, first.stderr);
    const kept = cachedDir(project, home);
    const cached: string[] = [];
    for await (const e of Deno.readDir(join(kept, `s3@127.0.0.1_${s3.port}`, bucket, "data"))) {
      cached.push(e.name);
    }
    assertEquals(cached.sort(), ["a.1.0.0.csv", "b.1.0.0.csv"], `${name}: cached in ${kept}`);

    await Deno.writeTextFile(manifest, JSON.stringify(pins));
    s3.resetStats();
    const warm = await runJobLine(line, project, env);
    assertEquals(warm.code, 0, `${name}: ${warm.stderr}`);
    assertEquals(s3.stats.total, 0, `${name}: a warm rerun sends no request`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("README: the GitHub Actions prefill job is whole, and keeps its cache when the prefill fails", async () => {
  const blocks = (await readmeYamlBlocks()).filter((b) => b.includes("actions/cache"));
  assertEquals(blocks.length, 1, "one GitHub Actions job for prefill");
  const job = blocks[0]!;
  const uses = yamlValues(job, "uses");
  for (const action of ["actions/checkout@", "denoland/setup-deno@"]) {
    assert(uses.some((u) => u.startsWith(action)), `the job runs ${action}:\n${job}`);
  }
  // actions/cache saves in its post step, which runs only if the job succeeded.
  assert(!uses.some((u) => u.startsWith("actions/cache@")), `a save that a failure skips:\n${job}`);
  assert(uses.some((u) => u.startsWith("actions/cache/restore@")), job);
  const save = job.match(/- uses: actions\/cache\/save@[^\n]*\n((?:\s{8,}.*\n)*)/);
  assert(save !== null, `the job saves the cache itself:\n${job}`);
  assertStringIncludes(save[0], "if: always()", "saved also when the prefill failed");
  const path = yamlValues(job, "path");
  assertEquals(new Set(path).size, 1, `restore and save keep one path:\n${job}`);

  await checkJob(
    "GitHub Actions",
    prefillLine(job),
    jobVariables(job),
    (_project, home) => path[0]!.replace(/^~(?=\/)/, home),
  );
});

Deno.test("README: the GitLab CI prefill job caches a directory inside the project, also on failure", async () => {
  const blocks = (await readmeYamlBlocks()).filter((b) => /^\s+cache:\s*$/m.test(b));
  assertEquals(blocks.length, 1, "one GitLab CI job for prefill");
  const job = blocks[0]!;
  assertEquals(yamlValues(job, "when"), ["always"], `saved also when the prefill failed:\n${job}`);
  const vars = jobVariables(job);
  const cacheDir = vars.VC_CACHE_DIR ?? "";
  assert(
    cacheDir.startsWith("$CI_PROJECT_DIR/"),
    `GitLab caches the project's paths only:\n${job}`,
  );
  const paths = [...job.matchAll(/^\s*paths:\s*\[(.+)\]\s*(?:#.*)?$/gm)].map((m) => m[1]!.trim());
  assertEquals(paths.length, 1, job);

  await checkJob(
    "GitLab CI",
    prefillLine(job),
    vars,
    (project) => {
      const expanded = join(project, paths[0]!.replace(/\/$/, ""));
      assertEquals(join(project, cacheDir.replace("$CI_PROJECT_DIR/", "")), expanded);
      return expanded;
    },
  );
});

/**
 * A GitHub Actions expression (`${{ … }}`, or an `if:` without it) over the
 * few things the README's job uses: strings, `==` / `!=`, `&&` / `||`,
 * `always()`, `hashFiles()`, `format()`, `github.run_id` and the steps'
 * outcomes and outputs; as Actions evaluates them (`a && b || c` is `b` or
 * `c` by truthiness, not a boolean).
 */
function evaluate(expr: string, context: Record<string, string>): string | boolean {
  const tokens = [...expr.matchAll(/'(?:[^']|'')*'|==|!=|&&|\|\||[(),]|[A-Za-z_][\w.-]*/g)]
    .map((m) => m[0]);
  let at = 0;
  const truthy = (v: string | boolean) => v !== "" && v !== false;
  const primary = (): string | boolean => {
    const token = tokens[at++]!;
    if (token === "(") {
      const value = or();
      at++;
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (tokens[at] === "(") {
      at++;
      const args: (string | boolean)[] = [];
      while (tokens[at] !== ")") {
        args.push(or());
        if (tokens[at] === ",") at++;
      }
      at++;
      if (token === "always") return true;
      if (token === "hashFiles") return "HASH";
      if (token === "format") {
        return String(args[0]).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i) + 1]));
      }
      throw new Error(`no function ${token} in this model: ${expr}`);
    }
    if (!(token in context)) throw new Error(`no ${token} in this model: ${expr}`);
    return context[token]!;
  };
  const compare = (): string | boolean => {
    const left = primary();
    if (tokens[at] !== "==" && tokens[at] !== "!=") return left;
    const op = tokens[at++];
    const equal = String(left) === String(primary());
    return op === "==" ? equal : !equal;
  };
  const and = (): string | boolean => {
    let value = compare();
    while (tokens[at] === "&&") {
      at++;
      const right = compare();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): string | boolean => {
    let value = and();
    while (tokens[at] === "||") {
      at++;
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  return or();
}

/** A workflow value with its `${{ … }}` parts evaluated. */
function interpolate(value: string, context: Record<string, string>): string {
  return value.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => String(evaluate(expr, context)));
}

/** The steps of a job, each as its `key: value` lines (those under `with:` too). */
function jobSteps(block: string): Map<string, string>[] {
  return block.split(/\n(?=\s*- (?:uses|run|id|name):)/).slice(1).map((step) => {
    const fields = new Map<string, string>();
    for (const m of step.matchAll(/^\s*-?\s*([a-z][\w-]*):\s*(.+?)\s*(?:\s#.*)?$/gm)) {
      fields.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, "$2"));
    }
    return fields;
  });
}

Deno.test("README: the GitHub Actions job saves what a later run completes after a failed prefill", () => {
  return readmeYamlBlocks().then((blocks) => {
    const job = blocks.find((b) => b.includes("actions/cache"))!;
    // A workflow file without `on:` is refused by GitHub as it is pasted.
    assert(/^on:/m.test(job), `the workflow says when it runs (on:):\n${job}`);
    const steps = jobSteps(job);
    const restore = steps.find((s) => s.get("uses")?.startsWith("actions/cache/restore@"))!;
    const save = steps.find((s) => s.get("uses")?.startsWith("actions/cache/save@"))!;
    const prefillStep = steps.find((s) => /\bprefill\b/.test(s.get("run") ?? ""))!;
    assert(restore && save && prefillStep, job);
    // GitHub's cache: a key is written once (a save under a key that exists
    // saves nothing), a restore takes its key, else the newest entry whose key
    // starts with one of restore-keys.
    const saved: { key: string; items: Set<string> }[] = [];
    const all = ["a", "b", "c"];
    const run = (runId: number, prefill: (cached: Set<string>) => string) => {
      const context: Record<string, string> = { "github.run_id": String(runId) };
      const key = interpolate(restore.get("key")!, context);
      const prefixes = (restore.get("restore-keys") ?? "").split("\n").filter((k) => k !== "")
        .map((k) => interpolate(k, context));
      const exact = saved.find((s) => s.key === key);
      const found = exact ??
        prefixes.map((p) => saved.findLast((s) => s.key.startsWith(p))).find((s) => s);
      const cached = new Set(found?.items ?? []);
      if (restore.get("id") !== undefined) {
        context[`steps.${restore.get("id")}.outputs.cache-hit`] = String(exact !== undefined);
      }
      const outcome = prefill(cached);
      if (prefillStep.get("id") !== undefined) {
        context[`steps.${prefillStep.get("id")}.outcome`] = outcome;
      }
      const condition = save.get("if") ?? "success()";
      if (!evaluate(condition.replace(/^\$\{\{(.*)\}\}$/, "$1"), context)) return cached;
      const saveKey = interpolate(save.get("key")!, context);
      if (!saved.some((s) => s.key === saveKey)) saved.push({ key: saveKey, items: cached });
      return cached;
    };
    // A cold run cancelled at its timeout after one item: what it fetched is kept.
    run(1, (cached) => (cached.add("a"), "cancelled"));
    // The next run fetches the rest, whole now.
    const second = run(2, (cached) => {
      assertEquals([...cached], ["a"], "the partial cache restored");
      for (const item of all) cached.add(item);
      return "success";
    });
    assertEquals([...second].sort(), all);
    // Each later run finds the whole cache, and uploads nothing again.
    for (const runId of [3, 4]) {
      const before = saved.length;
      run(runId, (cached) => {
        assertEquals([...cached].sort(), all, `run ${runId} restores what run 2 completed`);
        return "success";
      });
      if (runId === 4) assertEquals(saved.length, before, "a warm run saves no cache again");
    }
  });
});
