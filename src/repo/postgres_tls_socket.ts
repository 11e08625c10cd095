/**
 * A PostgreSQL connection's TLS, negotiated by vc on the socket it made, so
 * that the socket vc hands the driver (with the driver's own `ssl` off) is the
 * TLS socket itself: vc can then let go of it while idle (`unref`) and close
 * it cleanly, with PostgreSQL's Terminate message sent inside TLS. Had the
 * driver upgraded vc's socket, vc would hold only the socket below TLS.
 *
 * @module
 */
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Duplex } from "node:stream";
import type { PgTls } from "./postgres_tls.ts";

// SSLRequest: its length (8), then the request code 80877103 (1234 5679).
const SSL_REQUEST = new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** How vc negotiates TLS on a new connection. */
export interface PgTlsSetup {
  /** What `sslmode` asks for (never `false`: plain text needs no negotiation). */
  tls: Exclude<PgTls, false>;
  /** `sslnegotiation=direct`: TLS from the first byte (PostgreSQL 17), no SSLRequest. */
  direct: boolean;
}

/**
 * Negotiates TLS on `socket` (just connected, or connecting) to `host`, as
 * libpq does: an SSLRequest (unless `direct`), whose one-byte answer is `S`
 * (go on in TLS) or `N` (no TLS: plain text for `prefer`, an error for every
 * mode that requires TLS), then the TLS handshake with the checks of the
 * mode. Resolves to the socket to speak PostgreSQL on: the TLS socket, or
 * `socket` itself in plain text. Rejects with an error whose `code` is
 * `TLS_REFUSED` when the server offers no TLS, and with the socket's or the
 * handshake's error otherwise; `socket` is then destroyed.
 */
export async function negotiatePgTls(
  socket: Socket,
  host: string,
  setup: PgTlsSetup,
): Promise<Socket> {
  const { tls, direct } = setup;
  try {
    if (!direct) {
      socket.write(SSL_REQUEST);
      const answer = await firstData(socket);
      if (answer.length === 1 && answer[0] === 0x4e /* N */) {
        if (tls === "prefer") return socket;
        throw Object.assign(new Error("the server does not offer TLS (it answered N)"), {
          code: "TLS_REFUSED",
        });
      }
      // More than the one byte would be data sent before TLS and read as if
      // it came through it (CVE-2021-23222): refused, as libpq does.
      if (answer.length !== 1 || answer[0] !== 0x53 /* S */) {
        throw new Error(
          "the server's answer to vc's SSLRequest is not S or N: it may not be PostgreSQL",
        );
      }
    }
    const secure = tlsConnect({
      socket,
      // libpq sends the host name (SNI), never an IP address.
      ...(isIP(host) ? {} : { servername: host }),
      ...(direct ? { ALPNProtocols: ["postgresql"] } : {}),
      ...(typeof tls === "object" ? tls : { rejectUnauthorized: false }),
    });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => {
        secure.off("error", reject);
        resolve();
      });
      secure.once("error", reject);
    });
    return secure as unknown as Socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** The first chunk `socket` receives; rejects when it fails or closes first. */
function firstData(socket: Socket): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const done = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onData = (chunk: Uint8Array) => {
      // The server sends nothing more until the client's next step (its
      // startup message, or TLS's first): nothing is lost to no listener.
      done();
      resolve(chunk);
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(
        Object.assign(new Error("the server closed the connection before answering SSLRequest"), {
          code: "CONNECTION_CLOSED",
        }),
      );
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

/**
 * A stand-in socket for a connection whose TLS failed, to hand the driver in
 * its stead: its first write (the driver's startup message) fails with
 * `error`, which the driver then reports for the query that wanted the
 * connection, and its close puts the connection back in the driver's pool.
 * (A rejected `socket` option would leave the driver's connection stuck as
 * "connecting" for good, one fewer in the pool each time.)
 */
export function failedSocket(error: Error, host: string, port: number): Socket {
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback(error);
    },
  });
  // Where the driver's messages say the connection was going.
  return Object.assign(stream, { host, port }) as unknown as Socket;
}
