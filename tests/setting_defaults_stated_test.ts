/**
 * The defaults `vc --help` states beside each setting, and the README's
 * Configuration table, are hand-written; `vc config --json` shows the
 * defaults vc really uses. A newcomer reads the first two and gets the third.
 *
 * `vc --help`'s `--timeout` row read "revalidate cached files older than T
 * (seconds, or e.g. 1d; 0)": no default where every other row gives one, and
 * a bare `0` that said nothing. These tests read every default the help page
 * and the README table state and compare it with `vc config --json`'s row of
 * that setting (source `default`), so a default changed in `src/` without its
 * help line or README row (or the other way round) fails here.
 */
import { basename } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { parseDurationSeconds } from "../src/config.ts";
import { parseSizeText } from "../src/size.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { COMMANDS } from "../src/cli/command_table.ts";

type Row = { name: string; value: unknown; source: string };

/** The `vc config` row each variable sets. */
const ROW_OF: Readonly<Record<string, string>> = {
  VC_MANIFEST: "manifest",
  VC_LOCK: "lock",
  VC_FROZEN: "frozen",
  VC_CACHE_TIMEOUT: "timeout",
  VC_OFFLINE: "offline",
  VC_PARALLEL_THRESHOLD: "parallelThreshold",
  VC_RANGE_SIZE: "rangeSize",
  VC_CONCURRENCY: "concurrency",
  VC_LOCK_WAIT: "lockWait",
  VC_REVALIDATE_TIMEOUT: "revalidateTimeout",
  VC_ON_UNREACHABLE: "onUnreachable",
  VC_REQUEST_TIMEOUT: "requestTimeout",
  VC_S3_ANONYMOUS: "s3Anonymous",
  VC_S3_REQUEST_PAYER: "s3RequestPayer",
  AWS_MAX_ATTEMPTS: "s3MaxAttempts",
};

/** The defaults `vc config --json` shows with no setting made. */
async function realDefaults(): Promise<Map<string, unknown>> {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  return new Map(
    r.json<Row[]>().filter((row) => row.source.startsWith("default"))
      .map((row) => [row.name, row.value]),
  );
}

/**
 * Whether `stated` (as the help or README writes a default: `1d`, `32MiB`,
 * `32 MiB`, `60`, `0`, `warn`, `versioned_assets.json`) is `value`, the
 * default of `vc config`'s row `name`.
 */
function sameDefault(name: string, stated: string, value: unknown): boolean {
  if (typeof value === "boolean") {
    return stated === String(value) || stated === (value ? "1" : "0");
  }
  if (typeof value === "number") {
    if (name === "parallelThreshold" || name === "rangeSize") {
      return parseSizeText(stated.replace(/\s+/g, ""))?.bytes === value;
    }
    return parseDurationSeconds(stated, name) === value;
  }
  if (typeof value === "string" && (name === "manifest" || name === "lock")) {
    // The file's name, as the last word says it (`./versioned_assets.json`,
    // `beside the manifest, versioned_assets.lock.json`).
    return basename(value) === stated.replace(/^.*[\s/]/, "");
  }
  return value === stated;
}

Deno.test("vc --help states the real default of each setting it gives one for", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["--help"], io), 0);
  const help = io.stdout();
  // Each setting's entry, its continuation lines joined, by its variable.
  const section = help.slice(help.indexOf("\nSettings"), help.indexOf("\nS3 endpoint"));
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of section.split("\n")) {
    const start = /^ {2}(?:--\S+(?: \S+)?)?\s+((?:VC|AWS)_[A-Z0-9_]+)(?:=\S+)?\s+(.*)$/.exec(line);
    if (start) entries.set(current = start[1]!, start[2]!);
    else if (current !== undefined && /^\s{20,}\S/.test(line)) {
      entries.set(current, `${entries.get(current)} ${line.trim()}`);
    }
  }
  // The global flag --request-timeout states its variable's default too.
  const global = /--request-timeout[^\n]*\n[^\n]*\(VC_REQUEST_TIMEOUT, default (\w+)/.exec(help);
  assert(global, "vc --help states --request-timeout's default");
  const defaults = await realDefaults();
  const checked: string[] = [];
  const wrong: string[] = [];
  const compare = (variable: string, stated: string) => {
    const name = ROW_OF[variable];
    if (name === undefined || !defaults.has(name)) return;
    checked.push(variable);
    if (!sameDefault(name, stated, defaults.get(name))) {
      wrong.push(`${variable}: help says ${stated}, vc config says ${defaults.get(name)}`);
    }
  };
  compare("VC_REQUEST_TIMEOUT", global[1]!);
  for (const [variable, text] of entries) {
    const stated = /\bdefault:? ([^;)\s]+)/.exec(text)?.[1];
    if (stated !== undefined) compare(variable, stated);
  }
  assertEquals(wrong, []);
  // Not vacuous: the rows with a default of a value, the timeout's included.
  for (
    const v of ["VC_CACHE_TIMEOUT", "VC_PARALLEL_THRESHOLD", "VC_RANGE_SIZE", "VC_LOCK_WAIT"]
  ) assert(checked.includes(v), `${v} has a default in vc --help: ${checked.join(" ")}`);
  assert(checked.length >= 9, checked.join(" "));
});

Deno.test("each command's --help states the real default of the settings its flags set", async () => {
  const defaults = await realDefaults();
  const checked = new Set<string>();
  const wrong = new Set<string>();
  for (const entry of COMMANDS) {
    const command = await entry.load();
    for (const [flag, spec] of Object.entries(command.options)) {
      // `(env VC_CONCURRENCY; default 16)`, `(VC_CACHE_TIMEOUT; default 1d)`
      const said = /\((?:env )?((?:VC|AWS)_[A-Z0-9_]+)[^()]*?; default:? ([^;()]+)\)/
        .exec(spec.description);
      const name = said === null ? undefined : ROW_OF[said[1]!];
      if (name === undefined || !defaults.has(name)) continue;
      checked.add(said![1]!);
      if (!sameDefault(name, said![2]!.trim(), defaults.get(name))) {
        wrong.add(
          `vc ${entry.name} --${flag}: says ${said![2]}, vc config says ${defaults.get(name)}`,
        );
      }
    }
  }
  assertEquals([...wrong], []);
  assert(checked.has("VC_CACHE_TIMEOUT") && checked.size >= 5, [...checked].join(" "));
});

Deno.test("README's configuration table states the real default of each setting", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const header = readme.indexOf("| setting ");
  assert(header >= 0, "the configuration table");
  const table = readme.slice(header).split("\n\n")[0]!.split("\n").slice(2);
  const defaults = await realDefaults();
  const checked: string[] = [];
  const wrong: string[] = [];
  for (const line of table) {
    const cells = line.split("|").map((c) => c.trim());
    const env = cells[3] ?? "";
    const stated = cells[5] ?? "";
    const variable = /`((?:VC|AWS)_[A-Z0-9_]+)/.exec(env)?.[1];
    const name = variable === undefined ? undefined : ROW_OF[variable];
    if (name === undefined || !defaults.has(name)) continue;
    // The value the cell opens with (`86400 (0 = always)`, `` `warn`: … ``,
    // `32 MiB: …`), or the figure after "else" (`the profile's …, else 5`).
    const value = /\belse (\d+)/.exec(stated)?.[1] ??
      /^`?(\d+(?:\.\d+)? ?[KMGTP]i?B|[\w.-]+)`?/.exec(stated)?.[1];
    assert(value !== undefined, `no default read in ${JSON.stringify(stated)}`);
    checked.push(variable!);
    if (!sameDefault(name, value, defaults.get(name))) {
      wrong.push(`${variable}: README says ${value}, vc config says ${defaults.get(name)}`);
    }
  }
  assertEquals(wrong, []);
  assert(checked.length >= 12, checked.join(" "));
});
