/**
 * The server's last words on a PostgreSQL connection: the FATAL error it
 * sends before it ends a session between two queries (an
 * `idle_in_transaction_session_timeout`, `pg_terminate_backend`, a restart's
 * shutdown). The `postgres` driver drops an error that comes while no query
 * waits, and its next query on the connection fails with only "the server
 * closed the connection": the reason, the one thing the user can act on (a
 * role's timeout), was lost.
 *
 * @module
 */
import type { Socket } from "node:net";
import { concatBytes } from "../bytes.ts";

// ErrorResponse.
const ERROR = 0x45;
// An error's text is kept up to this length (libpq's bound on one).
const MAX_ERROR_LENGTH = 30_000;

/**
 * Follows the server's messages on `socket` (from the first byte the driver
 * reads) and calls `onFatal` with the text of each FATAL or PANIC error.
 * Only the 5-byte header of other messages is read; a stream that is not in
 * the protocol's framing (an old server's error before its session) stops
 * the watch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Duplex } from "node:stream";
 * import type { Socket } from "node:net";
 * import { watchFatal } from "./postgres_fatal.ts";
 * const socket = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }) as unknown as Socket;
 * const said: string[] = [];
 * watchFatal(socket, (m) => said.push(m));
 * const body = new TextEncoder().encode("SFATAL\0C25P03\0Mterminating\0\0");
 * const message = new Uint8Array(5 + body.length);
 * message[0] = 0x45;
 * new DataView(message.buffer).setInt32(1, 4 + body.length);
 * message.set(body, 5);
 * socket.push(new Uint8Array([0x5a, 0, 0, 0, 5, 0x49])); // ReadyForQuery
 * socket.push(message);
 * await new Promise((r) => setTimeout(r, 0));
 * assert.deepEqual(said, ["terminating"]);
 * ```
 */
export function watchFatal(socket: Socket, onFatal: (message: string) => void): void {
  let header: Uint8Array = new Uint8Array(0);
  // Bytes of the current message's body still to come, and an error's body.
  let remaining = 0;
  let body: Uint8Array[] | undefined;
  const onData = (chunk: Uint8Array) => {
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - at);
        body?.push(new Uint8Array(chunk.subarray(at, at + take)));
        remaining -= take;
        at += take;
        if (remaining === 0 && body !== undefined) {
          const text = fatalText(body);
          body = undefined;
          if (text !== undefined) onFatal(text);
        }
        continue;
      }
      let type: number;
      let length: number;
      if (header.length === 0 && chunk.length - at >= 5) {
        // A whole header in the chunk, as nearly every one is: read in
        // place. A copy and a DataView for each message cost a backup of
        // 100,000 records ~0.3 s of CPU (a DataRow a row).
        type = chunk[at]!;
        length = (chunk[at + 1]! << 24) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 8) |
          chunk[at + 4]!;
        at += 5;
      } else {
        const need = 5 - header.length;
        const part = chunk.subarray(at, at + need);
        header = header.length === 0 ? new Uint8Array(part) : concatBytes([header, part]);
        at += part.length;
        if (header.length < 5) return;
        length = new DataView(header.buffer, header.byteOffset).getInt32(1);
        type = header[0]!;
        header = new Uint8Array(0);
      }
      if (length < 4) {
        socket.off("data", onData); // not the protocol's framing
        return;
      }
      remaining = length - 4;
      body = type === ERROR && length <= MAX_ERROR_LENGTH ? [] : undefined;
      if (remaining === 0 && body !== undefined) body = undefined;
    }
  };
  socket.on("data", onData);
  socket.once("close", () => socket.off("data", onData));
}

// The message of an ErrorResponse's fields (type byte, text, NUL; a NUL
// ends them) when its severity is FATAL or PANIC.
function fatalText(parts: Uint8Array[]): string | undefined {
  const text = new TextDecoder().decode(concatBytes(parts));
  const fields = new Map<string, string>();
  for (const field of text.split("\0")) if (field) fields.set(field[0]!, field.slice(1));
  const severity = fields.get("V") ?? fields.get("S");
  return severity === "FATAL" || severity === "PANIC" ? fields.get("M") : undefined;
}
