/**
 * A PostgreSQL catalog URL that reaches a server which is not PostgreSQL, or
 * a proxy with no server behind it, fails at once with words that say so.
 * Before, a server that read the startup message and closed the connection
 * made the driver connect again at once, forever (thousands of connections a
 * second, past every connect_timeout), and an HTTP or SSH server's answer was
 * read as a message gigabytes long and waited for until the connect timeout
 * ("no answer from the server"; forever with connect_timeout=0).
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { rawServer } from "./raw_server.ts";

const noEnv = () => undefined;

/** A server that reads what the client sends first, answers `answer` and closes, or stays open. */
function fakeServer(answer: string, close: boolean) {
  return rawServer(async (conn) => {
    await conn.read(new Uint8Array(1024)).catch(() => null);
    if (answer) await conn.write(new TextEncoder().encode(answer)).catch(() => {});
    if (close) conn.close();
    else await conn.read(new Uint8Array(1)).catch(() => null);
  });
}

for (
  const [name, answer, close, words] of [
    ["reads and closes", "", true, "closed the connection before the session started"],
    ["answers HTTP and closes", "HTTP/1.1 400 Bad Request\r\n\r\n", true, `began "HTTP/1.1 400`],
    ["answers SSH and stays open", "SSH-2.0-OpenSSH_9.2\r\n", false, `began "SSH-2.0`],
    // PostgreSQL before 14, failing before it read the startup message: an
    // error in the old protocol's form (no length), which libpq reports.
    [
      "refuses in the old protocol and closes",
      "Ecould not fork new process for connection: Resource temporarily unavailable\n\0",
      true,
      "the server refused the connection: could not fork new process for connection: Resource",
    ],
    [
      "refuses in the old protocol and stays open",
      "Esorry, too many clients already\n\0",
      false,
      "the server refused the connection: sorry, too many clients already",
    ],
  ] as const
) {
  Deno.test(`repo: a PostgreSQL catalog URL to a server that ${name} fails at once`, async () => {
    await using server = fakeServer(answer, close);
    for (const q of ["", "?connect_timeout=0", "?sslmode=disable&connect_timeout=30"]) {
      const started = Date.now();
      const error = await assertRejects(
        () =>
          openPostgresCatalog(`postgres://vc:s3cret@127.0.0.1:${server.port}/x${q}`, {
            env: noEnv,
          }),
        CatalogUnavailableError,
        words,
      );
      assert(!error.message.includes("s3cret"), error.message);
      assert(error.message.includes(`cannot reach PostgreSQL catalog postgres://vc@127.0.0.1:`));
      assert(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    }
    // One connection each: no reconnect loop.
    assertEquals(server.accepted(), 3);
  });
}

Deno.test("repo: a server whose message after the first has a length below 4 fails, never spins", async () => {
  // AuthenticationOk, then a message whose length is -1: skipping it by its
  // length went nowhere, a synchronous loop no timeout could stop. Run in a
  // child, so that such a hang fails this test instead of stopping it.
  await using server = rawServer(async (conn) => {
    await conn.read(new Uint8Array(1024)).catch(() => null);
    const answer = [0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x53, 0xff, 0xff, 0xff, 0xff, 0, 0];
    await conn.write(new Uint8Array(answer)).catch(() => {});
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  const catalogMod = new URL("../src/repo/postgres_catalog.ts", import.meta.url).href;
  const script = `
    import { openPostgresCatalog } from ${JSON.stringify(catalogMod)};
    try {
      await openPostgresCatalog("postgres://vc@127.0.0.1:${server.port}/x", { env: () => undefined });
      console.log("opened");
    } catch (e) {
      console.log(e.message);
    }`;
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const said = new TextDecoder().decode(stdout);
  assertEquals(code, 0, `the child did not finish (${code}): ${said}`);
  assert(said.includes("a message of length -1 before the session started"), said);
});
