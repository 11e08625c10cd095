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
  /** Names imported from other modules of the checkout, by path (`"src/store/mod.ts"`). */
  importsFrom?: Record<string, string[]>;
  /**
   * Whether the script's directory is granted (`--allow-read=DIR`,
   * `--allow-write=DIR`); default true. When false only the script file
   * itself (and the checkout) may be read, and `flags` grant the rest.
   */
  grantDir?: boolean;
  /** Whether the script starts with only `env` as its environment; default false. */
  clearEnv?: boolean;
  /** The working directory the script runs in; default this process's. */
  cwd?: string;
}

/**
 * Writes `script` into `dir` and runs it with `--no-prompt`, the project's
 * config, `--allow-read=DIR,CHECKOUT` (CHECKOUT unless `readCheckout` is false;
 * the script file, not DIR, unless `grantDir`), `--allow-write=DIR` (unless
 * `grantDir` is false) and `flags`; asserts it exits 0 and returns its
 * standard output's lines.
 */
export async function runLimitedScript(
  dir: string,
  script: LimitedScript,
  flags: string[],
  env: Record<string, string>,
): Promise<string[]> {
  const shown = script.shown ?? `e.constructor.name + ": " + e.message`;
  const grantDir = script.grantDir !== false;
  const others = Object.entries(script.importsFrom ?? {}).map(([path, names]) =>
    `import { ${names.join(", ")} } from ${JSON.stringify(new URL(path, ROOT).href)};\n`
  ).join("");
  await Deno.writeTextFile(
    `${dir}/script.ts`,
    `import { ${script.imports.join(", ")} } from ${JSON.stringify(MOD)};
${others}const show = async (p) => {
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
      `--allow-read=${grantDir ? dir : `${dir}/script.ts`}${
        script.readCheckout === false ? "" : `,${ROOT.pathname}`
      }`,
      ...(grantDir ? [`--allow-write=${dir}`] : []),
      `${dir}/script.ts`,
    ],
    env,
    clearEnv: script.clearEnv === true,
    ...(script.cwd === undefined ? {} : { cwd: script.cwd }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`script exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}
