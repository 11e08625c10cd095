/**
 * README.md documents every capability: every `vc` command, and each flag it
 * takes (as its `--help` lists it, global flags included), appears in it, so
 * a command or a flag is never only discoverable from the help.
 */
import { assertEquals } from "./assert.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { GLOBAL_OPTIONS } from "../src/cli/options.ts";

Deno.test("README.md names every flag of every vc command", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const named = (flag: string) => new RegExp(`--${flag}(?![\\w-])`).test(readme);
  const missing: string[] = Object.keys(GLOBAL_OPTIONS).filter((f) => !named(f))
    .map((f) => `(global) --${f}`);
  for (const entry of COMMANDS) {
    const command = await entry.load();
    for (const flag of Object.keys(command.options)) {
      if (!named(flag)) missing.push(`vc ${entry.name} --${flag}`);
    }
  }
  assertEquals(missing, []);
});

Deno.test("README.md shows every vc command", async () => {
  // `vc repo expire` and `vc repo purge` were only states in prose, so the
  // commands that set them were discoverable from `vc --help` alone.
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const missing = COMMANDS.map((entry) => entry.name)
    .filter((name) => !new RegExp(`\\bvc ${name}(?![\\w-])`).test(readme));
  assertEquals(missing, []);
});

Deno.test("README.md shows no flag a vc command does not take", async () => {
  // The reverse of the first test: an example or a sentence naming
  // `vc CMD … --flag` that CMD's --help does not list fails for whoever
  // copies it (exit 2), so every such use must be a real flag of that command.
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const takes = new Map<string, Set<string>>();
  for (const entry of COMMANDS) {
    const command = await entry.load();
    takes.set(
      entry.name,
      // A flag the command only refuses (`unused`: `vc ls --frozen`) is none it takes.
      new Set([
        ...Object.keys(command.options).filter((f) => command.options[f]!.unused === undefined),
        ...Object.keys(GLOBAL_OPTIONS),
      ]),
    );
  }
  // Longest first, so `vc cache get` is not read as `vc cache`.
  const names = [...takes.keys()].sort((a, b) => b.length - a.length);
  const blocks = /```[a-z]*\n([\s\S]*?)```/g;
  const spans = [
    // Code lines without their `# comment` (which may name other commands' flags)...
    ...[...readme.matchAll(blocks)].flatMap((m) =>
      m[1]!.split("\n").map((l) => l.replace(/#.*$/, ""))
    ),
    // ...and inline code.
    ...[...readme.replace(blocks, "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\n/g, " ")),
  ];
  const wrong: string[] = [];
  let checked = 0;
  for (const span of spans) {
    // One command up to where a shell would end it.
    for (const use of span.matchAll(/\bvc ([a-z-]+(?: [a-z-]+)?)([^|;&`)]*)/g)) {
      const name = names.find((n) => use[1] === n || use[1]!.startsWith(`${n} `));
      if (name === undefined) continue;
      const rest = use[1]!.slice(name.length) + use[2]!;
      for (const flag of rest.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)) {
        checked++;
        if (!takes.get(name)!.has(flag[1]!)) wrong.push(`vc ${name} --${flag[1]}: ${span.trim()}`);
      }
    }
  }
  assertEquals(wrong, []);
  // The scan found the README's examples (it would pass vacuously otherwise).
  assertEquals(checked > 50, true);
});

Deno.test("README.md's configuration table names every VC_* setting", async () => {
  // `VC_S3_PATH_STYLE` was only in the prose below the table, so a reader
  // scanning the table for what can be set missed it.
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("\n## Configuration\n") + 1);
  const table = section.slice(0, section.indexOf("\n## ")).split("\n")
    .filter((line) => line.startsWith("|")).join("\n");
  // The modules that resolve settings (command-specific variables such as
  // VC_REPO or VC_SERVE_STORE are documented with their commands).
  const readers = [
    "../src/config.ts",
    "../src/store/s3_config.ts",
    "../src/cli/settings_resolve.ts",
    "../src/cache/asset_cache.ts",
  ];
  const names = new Set<string>();
  for (const file of readers) {
    const text = await Deno.readTextFile(new URL(file, import.meta.url));
    // Outside doc comments, whose examples name made-up variables.
    const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/)/.test(line)).join("\n");
    for (const m of code.matchAll(/"(VC_[A-Z0-9_]+)"/g)) names.add(m[1]!);
  }
  assertEquals(names.size > 10, true);
  assertEquals([...names].filter((name) => !table.includes(name)).sort(), []);
});

Deno.test("README.md's vc serve table gives each flag the default its --help states", async () => {
  // The table and `vc serve --help` each state the defaults; one changed
  // without the other tells an operator two different limits.
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("\n### Operation\n"));
  const rows = section.split("\n").slice(1).filter((line) => line.startsWith("| `--"));
  const entry = COMMANDS.find((e) => e.name === "serve")!;
  const options = (await entry.load()).options as Record<string, { description?: string }>;
  const wrong: string[] = [];
  let compared = 0;
  for (const row of rows) {
    const [flagsCell, defaultCell] = row.split("|").slice(1, 3).map((c) => c.trim());
    // `--host`, `--port` with `127.0.0.1`, `8080`: one value per flag; `—` is
    // a required flag, with no default to compare.
    if (defaultCell === undefined || defaultCell === "—") continue;
    const flags = [...flagsCell!.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]!);
    const values = defaultCell === "none"
      ? flags.map(() => "none")
      : [...defaultCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    if (values.length !== flags.length) {
      wrong.push(`${flagsCell}: ${flags.length} flags, ${values.length} defaults`);
      continue;
    }
    flags.forEach((flag, i) => {
      const help = options[flag]?.description ?? "";
      const value = values[i]!;
      // A flag with no default may say so or say nothing of one.
      const agrees = value === "none"
        ? !/\bdefault\b/.test(help) || /\bdefault none\b/.test(help)
        : new RegExp(`\\bdefault ${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.])`)
          .test(help);
      compared++;
      if (!agrees) wrong.push(`--${flag}: README ${value}, --help "${help}"`);
    });
  }
  assertEquals(wrong, []);
  // The control: the table was found and read.
  assertEquals(compared >= 8, true);
});
