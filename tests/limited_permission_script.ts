/**
 * Runs a script against the project's `mod.ts` with only the permissions a
 * test grants (read and write on its own directory and the checkout, plus
 * `flags`), for the tests of what vc says when a permission is missing.
 */

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT).href;

/** A script's parts: what it imports from `mod.ts`, and its statements. */
export interface LimitedScript {
  /** Names imported from `mod.ts`. */
  imports: string[];
  /** Statements run after `show` is defined (`await show(promise)` prints ok or its error). */
  body: string;
  /**
   * How `show` prints an error `e` (a JavaScript expression); default
   * `e.constructor.name + ": " + e.message`.
   */
  shown?: string;
  /** Whether the script may read the checkout (vc's own files); default true. */
  readCheckout?: boolean;
}

/**
 * Writes `script` into `dir` and runs it with `--no-prompt`, the project's
 * config, `--allow-read=DIR,CHECKOUT` (CHECKOUT unless `readCheckout` is false),
 * `--allow-write=DIR` and `flags`; asserts
 * it exits 0 and returns its standard output's lines.
 */
export async function runLimitedScript(
  dir: string,
  script: LimitedScript,
  flags: string[],
  env: Record<string, string>,
): Promise<string[]> {
  const shown = script.shown ?? `e.constructor.name + ": " + e.message`;
  await Deno.writeTextFile(
    `${dir}/script.ts`,
    `import { ${script.imports.join(", ")} } from ${JSON.stringify(MOD)};
const show = async (p) => {
  try { await p; console.log("ok"); } catch (e) { console.log(${shown}); }
};
${script.body}`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--config",
      new URL("deno.json", ROOT).pathname,
      ...flags,
      `--allow-read=${dir}${script.readCheckout === false ? "" : `,${ROOT.pathname}`}`,
      `--allow-write=${dir}`,
      `${dir}/script.ts`,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`script exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}
