/**
 * `--json` on the pages dispatch prints itself: `vc --version --json`,
 * `vc help ls --json`, `vc ls --help --json` and `vc --help --json` used to
 * print plain text, breaking the contract that `--json` puts one JSON
 * document on stdout for every command.
 */
import { memoryIo } from "../src/cli/io.ts";
import { commandNames, runCli, VERSION } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

async function json(args: string[]): Promise<Record<string, unknown>> {
  const io = memoryIo();
  assertEquals(await runCli(args, io), 0, io.stderr());
  assertEquals(io.stderr(), "");
  return JSON.parse(io.stdout());
}

async function text(args: string[]): Promise<string> {
  const io = memoryIo();
  assertEquals(await runCli(args, io), 0, io.stderr());
  return io.stdout();
}

interface Flag {
  name: string;
  short?: string;
  value?: string;
  repeatable: boolean;
  description: string;
}

Deno.test("vc --version --json: one JSON document with the version", async () => {
  assertEquals(await json(["--version", "--json"]), { version: VERSION });
  assertEquals(await json(["--json", "-V"]), { version: VERSION });
  assertEquals(await text(["--version"]), `vc ${VERSION}\n`);
});

Deno.test("command help with --json: the facts of the text page, as one document", async () => {
  const fromHelp = await json(["help", "ls", "--json"]);
  assertEquals(await json(["ls", "--help", "--json"]), fromHelp);
  assertEquals(await json(["--json", "ls", "-h"]), fromHelp);
  assertEquals(fromHelp.name, "ls");
  assertEquals(fromHelp.summary, COMMANDS.find((c) => c.name === "ls")!.summary);
  assertEquals(fromHelp.usage, "vc ls [flags]");
  const page = await text(["ls", "--help"]);
  const flags = fromHelp.flags as Flag[];
  assert(flags.some((f) => f.name === "--bucket" && f.value === "URI"), JSON.stringify(flags));
  for (const f of [...flags, ...fromHelp.globalFlags as Flag[]]) {
    assertStringIncludes(page, f.value === undefined ? f.name : `${f.name} ${f.value}`);
    assertStringIncludes(page, f.description.split(" ").slice(0, 3).join(" "));
  }
  // A repeatable flag and a short alias keep what the text page shows.
  const get = await json(["help", "cache", "get", "--json"]);
  assertEquals(get.name, "cache get");
  assert((get.globalFlags as Flag[]).some((f) => f.name === "--quiet" && f.short === "-q"));
  const prefill = (await json(["help", "prefill", "--json"])).flags as Flag[];
  assert(prefill.some((f) => f.repeatable), JSON.stringify(prefill));
});

Deno.test("every command's help parses as JSON with --json", async () => {
  for (const name of commandNames()) {
    const doc = await json(["help", ...name.split(" "), "--json"]);
    assertEquals(doc.name, name);
    assert(Array.isArray(doc.flags) && Array.isArray(doc.examples), name);
  }
});

Deno.test("main and group help with --json list the commands", async () => {
  const main = await json(["--help", "--json"]);
  assertEquals(main.name, "vc");
  assertEquals((main.commands as unknown[]).length, COMMANDS.length);
  assert((main.globalFlags as Flag[]).some((f) => f.name === "--version"));
  assertEquals(await json(["help", "--json"]), main);
  const repo = await json(["repo", "--help", "--json"]);
  assertEquals(repo.name, "vc repo");
  assertEquals(repo.usage, "vc repo <command> [arguments] [flags]");
  assertEquals(await json(["help", "repo", "--json"]), repo);
  // Without --json, text as before.
  assert((await text(["--help"])).startsWith(`vc ${VERSION}: `));
});
