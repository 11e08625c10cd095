/**
 * A raw connection's answer read in the background while a test keeps
 * writing to it (a body that trickles in, trailers that never end): the
 * tests of `vc serve` that check when the service closes a connection.
 */

/** What {@linkcode readInBackground} has read so far, and whether it ended. */
export interface BackgroundRead {
  /** All the peer sent so far, decoded. */
  text(): string;
  /** Whether the peer closed the connection (or a read failed). */
  closed(): boolean;
  /** Settles when the peer closed the connection. */
  ended: Promise<void>;
}

/** Reads `conn` until the peer closes it, without waiting for it. */
export function readInBackground(conn: Deno.Conn): BackgroundRead {
  const dec = new TextDecoder();
  let text = "";
  let closed = false;
  const ended = (async () => {
    const buf = new Uint8Array(16 * 1024);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
    closed = true;
  })();
  return { text: () => text, closed: () => closed, ended };
}
