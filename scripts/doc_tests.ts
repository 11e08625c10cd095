/**
 * Runs the doc examples that `deno test --doc` runs, with the same meaning,
 * in a few processes instead of one worker per example.
 *
 * Usage: `deno run -A scripts/doc_tests.ts [--jobs N] [--no-check] [PATH...]`
 * (default `mod.ts src/`; `--jobs`: processes at once, default the machine's
 * cores; `--no-check`: skip the type check, for a caller that runs the
 * examples for what they do, as `deno test --doc --no-check` would).
 *
 * Why: `deno test --doc` makes each example a test module of its own, and
 * Deno gives every module its own worker, a fresh isolate that loads the
 * module graph again: about 0.4 CPU-seconds each, whatever the example does,
 * so ~1,150 examples took 7–10 minutes though their tests take ~30 s. Here
 * each example becomes a module as Deno makes it (`doc_test_module.ts`), in
 * a temp dir removed at the end; one aggregate module per share imports
 * them, so a share's examples share one worker.
 *
 * The generated modules are type-checked first, in one `deno check`; a type
 * error fails the run naming the example. Then the shares run in
 * `deno test --no-check` processes at once, each one's output printed whole
 * when it ends, each with a `TMPDIR` and a HOME of its own: an example that
 * leaves a file there fails the run, as in `scripts/test_shards.ts`. Tests are named as Deno names them, `file#start-end` (lines
 * of the fences), so a failure is found in the source. The exit code is 1
 * when an example failed (they are listed at the end) or when fewer ran
 * than were found (a share that died). A share still running after
 * `TEST_BATCH_TIMEOUT` seconds (default 900) is killed with its
 * processes, as a batch of `scripts/test_shards.ts` is, naming the example
 * that was running.
 *
 * @module
 */
import { basename, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { counted } from "../src/counted.ts";
import { docExamples } from "./doc_examples.ts";
import { docTestModule } from "./doc_test_module.ts";
import {
  batchLimitMs,
  exitOutsideTest,
  failures,
  jobsValue,
  lastStartedTest,
  leakReport,
  leftProcessesReport,
  parsedOrSaid,
  plainText,
  runDeno,
  runDenoInTmpDir,
  testCounts,
  timedOutSummary,
  timeoutReport,
} from "./deno_test_process.ts";

/**
 * The project's config, for modules outside the checkout: its import map
 * (`postgres`, `@aws-sdk/client-s3`), lock file and compiler options.
 */
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

interface Plan {
  jobs: number;
  /** How long a share may run before it is killed (`TEST_BATCH_TIMEOUT`). */
  limitMs: number;
  check: boolean;
  paths: string[];
}

function parseArgs(args: readonly string[]): Plan {
  const plan: Plan = {
    jobs: Math.max(1, navigator.hardwareConcurrency || 1),
    limitMs: batchLimitMs(),
    check: true,
    paths: [],
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--jobs") {
      plan.jobs = jobsValue(args[++i]);
    } else if (arg === "--no-check") {
      plan.check = false;
    } else if (arg.startsWith("-")) {
      throw new Error(
        `unknown option ${arg} (usage: doc_tests.ts [--jobs N] [--no-check] [PATH...])`,
      );
    } else {
      plan.paths.push(arg);
    }
  }
  if (plan.paths.length === 0) plan.paths = ["mod.ts", "src/"];
  return plan;
}

/** A generated test module: where it is and the example it runs. */
interface Generated {
  /** `file#start-end`, the test's name. */
  name: string;
  path: string;
}

/** Writes a test module for each example under `paths` that Deno runs, into `dir`. */
async function generate(paths: readonly string[], dir: string): Promise<Generated[]> {
  const out: Generated[] = [];
  for (const example of await docExamples(paths)) {
    if (!example.runs) continue;
    const file = resolve(example.file);
    const name = `${relative(Deno.cwd(), file)}#${example.start}-${example.end}`;
    const path = join(dir, `${name.replace(/[^\w.-]/g, "_")}.ts`);
    await Deno.writeTextFile(path, docTestModule(name, example.code, pathToFileURL(file)));
    out.push({ name, path });
  }
  return out;
}

/** `jobs` aggregate modules in `dir`, each importing a run of consecutive modules. */
async function shares(modules: Generated[], jobs: number, dir: string): Promise<string[]> {
  const size = Math.ceil(modules.length / jobs);
  const out: string[] = [];
  for (let i = 0; i * size < modules.length; i++) {
    const share = modules.slice(i * size, (i + 1) * size);
    const path = join(dir, `share_${i + 1}.ts`);
    await Deno.writeTextFile(path, share.map((m) => `import "./${basename(m.path)}";\n`).join(""));
    out.push(path);
  }
  return out;
}

/**
 * `output` with the generated modules' paths (URLs, or relative to the
 * working directory) replaced by their examples' names.
 */
function named(output: Uint8Array, modules: Generated[], dir: string): string {
  const byFile = new Map(modules.map((m) => [basename(m.path), m.name]));
  const inDir = new RegExp(`[^\\s(]*${basename(dir)}/([^\\s:)]+)`, "g");
  return plainText(output).replace(inDir, (path, file: string) => byFile.get(file) ?? path);
}

async function main(): Promise<number> {
  const plan = parsedOrSaid("doc_tests", () => parseArgs(Deno.args));
  if (plan === undefined) return 2;
  const started = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "vc_doc_tests_" });
  try {
    const modules = await generate(plan.paths, dir);
    if (modules.length === 0) {
      console.error(`no doc examples to run in ${plan.paths.join(" ")}`);
      return 1;
    }
    const aggregates = await shares(modules, plan.jobs, dir);
    const check = plan.check
      ? await runDeno(["check", "--config", CONFIG, ...aggregates])
      : { ok: true, output: new Uint8Array() };
    if (!check.ok) {
      const text = named(check.output, modules, dir);
      console.log(text);
      const bad = modules.filter((m) => text.includes(m.name)).map((m) => m.name);
      console.log(`doc examples failed the type check:\n  ${bad.join("\n  ") || "(see above)"}`);
      return 1;
    }
    const failed: string[] = [];
    let ran = 0;
    await Promise.all(aggregates.map(async (aggregate) => {
      const args = ["test", "--no-check", "--allow-all", "--no-prompt", "--config", CONFIG];
      const run = await runDenoInTmpDir([...args, aggregate], {}, dir, plan.limitMs);
      console.log(named(run.output, modules, dir));
      if (run.timedOut) {
        // Test names are the examples' (`src/x.ts#12-30`): the one running is named.
        const running = lastStartedTest(run.output);
        const share = basename(aggregate);
        const examples = [`the examples of ${share}`];
        console.log(
          timeoutReport(`the share ${share}`, plan.limitMs, running, examples, run.killed) +
            timedOutSummary(run.output, `${share} killed after ${plan.limitMs / 1000} s`),
        );
        failed.push(`${running ?? basename(aggregate)} (killed after ${plan.limitMs / 1000} s)`);
      } else if (run.leaked.length > 0) {
        console.log(
          leakReport("the share", run.leaked, [`the examples of ${basename(aggregate)}`]),
        );
        failed.push(`${basename(aggregate)} (left files in its TMPDIR or HOME)`);
      }
      if (run.left.length > 0) {
        console.log(
          leftProcessesReport("the share", run.left, [`the examples of ${basename(aggregate)}`]),
        );
        failed.push(`${basename(aggregate)} (left processes running)`);
      }
      const counts = testCounts(run.output);
      ran += counts.passed + counts.failed;
      const examples = failures(run.output).map((f) => f.name);
      failed.push(...examples);
      // Deno names no example for an error thrown outside a test (a timer's,
      // say): the share is named, so the list of failures is never empty.
      if (!run.ok && !run.timedOut && examples.length === 0) {
        const why = counts.failed === 0 ? "died before its report" : "failed outside any example";
        failed.push(`${basename(aggregate)} (${why}; see its output)`);
      }
      if (exitOutsideTest(run.output)) {
        failed.push(`${basename(aggregate)} (Deno.exit outside any example ended its worker)`);
      }
    }));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const what = `${counted(ran, "example")} of ${modules.length} ran in ${
      counted(aggregates.length, "process", "processes")
    }, ${seconds} s`;
    if (failed.length === 0 && ran === modules.length) {
      console.log(`all doc examples passed: ${what}`);
      return 0;
    }
    console.log(`doc examples failed: ${what}; failed:\n  ${failed.join("\n  ")}`);
    return 1;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main());
