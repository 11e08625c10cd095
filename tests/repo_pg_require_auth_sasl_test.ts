/**
 * `require_auth=scram-sha-256` (or `PGREQUIREAUTH`) refuses a server that
 * starts a SCRAM exchange and then lets the client in (AuthenticationOk)
 * without its final message, the one that proves it knows the password: as
 * libpq does ("server did not complete authentication"). Without the check
 * such a server (a rewritten marker's, one on the network path) passed
 * require_auth=scram-sha-256 while authenticating nothing, as `trust` does,
 * which that setting refuses.
 */
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { assert, assertEquals } from "./assert.ts";
import { watchStartup } from "../src/repo/postgres_startup.ts";
import { parseRequireAuth, type RequireAuth } from "../src/repo/postgres_url.ts";

const enc = new TextEncoder();

/** An AuthenticationRequest (R) of `code` with `body` after the code. */
function auth(code: number, body = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(9 + body.length);
  out[0] = 0x52;
  new DataView(out.buffer).setInt32(1, 8 + body.length);
  new DataView(out.buffer).setInt32(5, code);
  out.set(body, 9);
  return out;
}

const SASL = auth(10, enc.encode("SCRAM-SHA-256\0\0"));
const CONTINUE = auth(11, enc.encode("r=abc,s=c2FsdA==,i=4096"));
const FINAL = auth(12, enc.encode("v=c2lnbmF0dXJl"));
const OK = auth(0);
// ReadyForQuery (idle).
const READY = new Uint8Array([0x5a, 0, 0, 0, 5, 0x49]);

/** What watchStartup makes of the server's `messages` (each its own chunk): its error, if any. */
async function watched(
  requireAuth: RequireAuth | undefined,
  messages: Uint8Array[],
): Promise<(Error & { code?: string }) | undefined> {
  const socket = new Duplex({
    read() {},
    write(_c, _e, cb) {
      cb();
    },
  }) as unknown as Socket;
  let error: (Error & { code?: string }) | undefined;
  socket.on("error", (e) => error = e);
  watchStartup(socket, requireAuth);
  for (const message of messages) {
    socket.push(message);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  socket.destroy();
  return error;
}

const scram = parseRequireAuth("scram-sha-256", "require_auth=scram-sha-256") as RequireAuth;

Deno.test("repo: require_auth=scram-sha-256 refuses a server that ends a SCRAM exchange before its final message", async () => {
  for (const messages of [[SASL, OK, READY], [SASL, CONTINUE, OK, READY]]) {
    const error = await watched(scram, messages);
    assert(error !== undefined, "the connection was not refused");
    assertEquals(error.code, "CONNECTION_AUTH_REFUSED");
    assert(
      error.message.includes(
        "the server did not complete SASL (SCRAM-SHA-256) authentication, which " +
          "require_auth=scram-sha-256 requires",
      ),
      error.message,
    );
  }
});

Deno.test("repo: require_auth=scram-sha-256 lets a complete SCRAM exchange through, and no require_auth anything", async () => {
  assertEquals(await watched(scram, [SASL, CONTINUE, FINAL, OK, READY]), undefined);
  assertEquals(await watched(undefined, [SASL, OK, READY]), undefined);
  // `none` allowed too: a server may let the client in without a password.
  const orNone = parseRequireAuth("scram-sha-256,none", "require_auth=scram-sha-256,none");
  assertEquals(await watched(orNone as RequireAuth, [SASL, OK, READY]), undefined);
});
