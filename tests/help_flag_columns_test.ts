/**
 * Every line of a command's flag table stays in its columns: a flag's
 * description wrapped by hand (a `\n` in it) broke out of the table, so
 * `vc repo ls --help` (and every `vc repo` command) printed `URL may hold
 * the password, else` and `store's` at the start of lines of their own,
 * under no flag.
 */
import { COMMANDS } from "../src/cli/command_table.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("help: every flag line of every command's help is indented under its table", async () => {
  const broken: string[] = [];
  for (const command of COMMANDS) {
    const io = memoryIo();
    assertEquals(await runCli([...command.name.split(" "), "--help"], io), 0, command.name);
    const lines = io.stdout().split("\n");
    let inTable = false;
    for (const line of lines) {
      if (/^(Global )?[Ff]lags:$/.test(line)) inTable = true;
      else if (line === "") inTable = false;
      else if (inTable && !line.startsWith("  ")) broken.push(`vc ${command.name}: ${line}`);
    }
  }
  assertEquals(broken, []);
});

Deno.test("help: vc repo ls --help says the --catalog flag in one flowing text", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["repo", "ls", "--help"], io), 0);
  const text = io.stdout().replace(/\s+/g, " ");
  assertStringIncludes(text, "a PostgreSQL URL may hold the password, else PGPASSWORD is sent");
  assert(!io.stdout().includes("\nURL may hold"), io.stdout());
});
