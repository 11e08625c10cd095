/**
 * Watches a new PostgreSQL connection until its session has started (the
 * server's first ReadyForQuery), and turns what the `postgres` driver would
 * not report into an error on the socket, which the driver then hands the
 * query that wanted the connection:
 *
 * - a server that closes the connection before the session started (a proxy
 *   with no server behind it, a server that is not PostgreSQL): the driver
 *   takes such a close as a reason to connect again at once, forever, past
 *   every connect timeout, with a new connection each time;
 * - a first answer that is no PostgreSQL message (an HTTP or SSH server): the
 *   driver reads its bytes as a message length and waits for gigabytes that
 *   never come, until the connect timeout (forever with `connect_timeout=0`)
 *   and then says the server did not answer. libpq refuses it at once;
 * - an error in the old protocol's form (`E`, its text, a NUL; no length),
 *   which PostgreSQL before 14 sends for a failure before it read the
 *   startup message (`could not fork new process for connection`): the
 *   driver waits as for the above; libpq reports the server's text, and so
 *   does vc.
 *
 * (A connection the driver opens to cancel a query gets no answer and is
 * closed by the server: it would be failed here; vc never cancels a query.)
 *
 * @module
 */
import type { Socket } from "node:net";
import { printable } from "../printable.ts";
import type { AuthMethod, RequireAuth } from "./postgres_url.ts";

// AuthenticationRequest (R) and the methods its codes ask for (11, 12: a
// SASL exchange going on; 0: done, `none` when nothing was asked).
const AUTH = 0x52;
const AUTH_CODES: Record<number, [AuthMethod, string]> = {
  3: ["password", "a cleartext password"],
  5: ["md5", "an MD5 password hash"],
  7: ["gss", "GSSAPI authentication"],
  8: ["gss", "GSSAPI authentication"],
  9: ["sspi", "SSPI authentication"],
  10: ["scram-sha-256", "SASL (SCRAM-SHA-256) authentication"],
};

// The messages a server may begin a session with, as libpq takes them:
// an authentication request (R), an error (E), NegotiateProtocolVersion (v).
const FIRST = new Set([0x52, 0x45, 0x76]);
// ErrorResponse (E) and ReadyForQuery (Z).
const ERROR = 0x45;
const READY = 0x5a;
// libpq's bound on a first message's length (an error's; an auth request's is 2000).
const FIRST_MAX_LENGTH = 30_000;
// An error shorter than this (its length, its field type, a NUL) or longer
// than FIRST_MAX_LENGTH is the old protocol's, as libpq takes it.
const ERROR_MIN_LENGTH = 8;

/**
 * Watches `socket`, just handed to the driver, until the session starts;
 * returns it. Destroys it with an error whose `code` is `CONNECTION_CLOSED`
 * when the server closes it first without saying why (an ErrorResponse says
 * why: the driver reports that one), `CONNECTION_REFUSED_BY_SERVER` with the
 * server's text for an error in the old protocol's form, or
 * `CONNECTION_NOT_POSTGRES` when its first answer is no PostgreSQL message;
 * with `requireAuth`, `CONNECTION_AUTH_REFUSED` for a method it does not
 * allow, or a SCRAM exchange the server ends before its proof.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Duplex } from "node:stream";
 * import type { Socket } from "node:net";
 * import { watchStartup } from "./postgres_startup.ts";
 * const socket = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }) as unknown as Socket;
 * const failed = new Promise<Error>((resolve) => socket.once("error", resolve));
 * watchStartup(socket);
 * socket.push(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n"));
 * assert.match((await failed).message, /not PostgreSQL's .*HTTP\/1\.1/);
 * ```
 */
export function watchStartup(socket: Socket, requireAuth?: RequireAuth): Socket {
  let buffered: Uint8Array = new Uint8Array(0);
  let first = true;
  let saidWhy = false;
  // The first answer is an old-protocol error: its text runs to a NUL.
  let legacyError = false;
  let authAsked = false;
  // A SASL exchange started (10) and not yet finished by the server's proof (12).
  let saslOpen = false;
  const done = () => {
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("close", done);
  };
  const fail = (message: string, code: string) => {
    done();
    socket.destroy(Object.assign(new Error(message), { code }));
  };
  // The old-protocol error in `buffered`: its text, up to its NUL or what came.
  const refused = () => {
    const nul = buffered.indexOf(0, 1);
    const text = buffered.subarray(1, Math.min(nul < 0 ? buffered.length : nul, FIRST_MAX_LENGTH));
    fail(
      `the server refused the connection: ${
        printable(new TextDecoder().decode(text).trim()) || "(no reason given)"
      }`,
      "CONNECTION_REFUSED_BY_SERVER",
    );
  };
  const onData = (chunk: Uint8Array) => {
    buffered = buffered.length === 0 ? chunk : concat(buffered, chunk);
    if (legacyError) {
      if (buffered.indexOf(0, 1) >= 0 || buffered.length > FIRST_MAX_LENGTH) refused();
      return;
    }
    // Each message: a type byte, then its length (counting itself, not the type).
    while (buffered.length >= 5) {
      const type = buffered[0]!;
      const length = new DataView(buffered.buffer, buffered.byteOffset).getInt32(1);
      if (
        first && type === ERROR && (length < ERROR_MIN_LENGTH || length > FIRST_MAX_LENGTH)
      ) {
        legacyError = true;
        return onData(new Uint8Array(0));
      }
      if (first && (!FIRST.has(type) || length < 4 || length > FIRST_MAX_LENGTH)) {
        return fail(
          `the server's first answer is not PostgreSQL's (it began ${
            JSON.stringify(printable(new TextDecoder().decode(buffered.subarray(0, 16))))
          }): it may not be a PostgreSQL server`,
          "CONNECTION_NOT_POSTGRES",
        );
      }
      // Its length counts itself: less is no message, and skipping by it
      // (-1: by nothing) would spin here forever, the event loop blocked.
      if (length < 4) {
        return fail(
          `the server sent a message of length ${length} before the session started: ` +
            "it may not be a PostgreSQL server",
          "CONNECTION_NOT_POSTGRES",
        );
      }
      // Refused before the driver, which reads the same bytes next, answers
      // it: a server that may not ask for this method gets nothing.
      if (type === AUTH && requireAuth !== undefined) {
        if (buffered.length < 9) return;
        const code = new DataView(buffered.buffer, buffered.byteOffset).getInt32(5);
        const method = code === 0 && !authAsked
          ? (["none", "no authentication"] as const)
          : AUTH_CODES[code];
        if (code !== 0) authAsked = true;
        if (method !== undefined && !requireAuth.allowed.has(method[0])) {
          return fail(
            `the server asked for ${method[1]}, which ${requireAuth.named} does not allow ` +
              "(nothing was sent)",
            "CONNECTION_AUTH_REFUSED",
          );
        }
        // libpq's rule: a server that lets the client in before its SCRAM
        // proof (SASLFinal, which the driver checks) authenticated nothing,
        // as `trust` does, unless `none` is allowed.
        if (code === 10) saslOpen = true;
        if (code === 12) saslOpen = false;
        if (code === 0 && saslOpen && !requireAuth.allowed.has("none")) {
          return fail(
            `the server did not complete SASL (SCRAM-SHA-256) authentication, which ` +
              `${requireAuth.named} requires (it let the client in without proving it knows ` +
              "the password)",
            "CONNECTION_AUTH_REFUSED",
          );
        }
      }
      first = false;
      if (type === ERROR) saidWhy = true;
      if (type === READY) return done();
      if (buffered.length < length + 1) return;
      buffered = buffered.subarray(length + 1);
    }
  };
  const onEnd = () => {
    // Its text cut short by the close (or under 5 bytes): what came is the reason.
    if (legacyError || (first && buffered[0] === ERROR)) return refused();
    if (saidWhy) return done();
    fail(
      "the server closed the connection before the session started: it may not be a " +
        "PostgreSQL server, or a proxy with no server behind it",
      "CONNECTION_CLOSED",
    );
  };
  socket.on("data", onData);
  socket.once("end", onEnd);
  socket.once("close", done);
  return socket;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const both = new Uint8Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return both;
}
