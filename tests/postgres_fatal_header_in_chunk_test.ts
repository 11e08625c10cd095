/**
 * The PostgreSQL FATAL watcher reads a message header that lies whole in a
 * chunk in place (a backup's 100,000 DataRows each made a copy and a
 * DataView before) and still finds a FATAL however the server's bytes are
 * cut: after many rows in one chunk, with its header split across chunks,
 * one byte a chunk, and a header whose length field has the top bit set
 * (not the protocol's framing: the watch stops, as before).
 */
import { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { watchFatal } from "../src/repo/postgres_fatal.ts";
import { assertEquals } from "./assert.ts";

function message(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);
const dataRow = message(0x44, text("\0\x01\0\0\0\x03abc"));
const fatal = message(0x45, text("SFATAL\0VFATAL\0C57P01\0Mterminating connection\0\0"));
const notFatal = message(0x45, text("SERROR\0VERROR\0C42P01\0Mno table\0\0"));

async function said(chunks: Uint8Array[]): Promise<string[]> {
  const socket = new Duplex({
    read() {},
    write(_c, _e, cb) {
      cb();
    },
  }) as unknown as Socket;
  const out: string[] = [];
  watchFatal(socket, (m) => out.push(m));
  for (const c of chunks) (socket as unknown as Duplex).push(c);
  await new Promise((r) => setTimeout(r, 0));
  return out;
}

function joined(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

Deno.test("postgres fatal watch: a FATAL after many rows in one chunk, and cut anywhere", async () => {
  const stream = joined([...Array(1000).fill(dataRow), notFatal, dataRow, fatal, dataRow]);
  assertEquals(await said([stream]), ["terminating connection"]);
  // Cut at every offset of the FATAL's header and body: found once each time.
  const start = stream.length - fatal.length - dataRow.length;
  for (let cut = start - 3; cut < start + 12; cut++) {
    assertEquals(
      await said([stream.subarray(0, cut), stream.subarray(cut)]),
      ["terminating connection"],
      `cut at ${cut - start} from the FATAL's start`,
    );
  }
  const bytes = joined([dataRow, fatal]);
  assertEquals(
    await said([...bytes].map((b) => new Uint8Array([b]))),
    ["terminating connection"],
  );
});

Deno.test("postgres fatal watch: a length under 4 or negative stops the watch", async () => {
  const bad = new Uint8Array([0x45, 0x80, 0, 0, 0]);
  assertEquals(await said([joined([dataRow, bad, fatal])]), []);
  assertEquals(await said([joined([dataRow, new Uint8Array([0x45, 0, 0, 0, 2]), fatal])]), []);
});
