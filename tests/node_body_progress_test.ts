/**
 * A body sent through node:http tells its progress in steps no larger than
 * the 64 KiB a send stall deadline waits for (MIN_PROGRESS_BYTES). It was
 * told once per 1 MiB slice: on a link that takes 1 MiB more slowly than the
 * request timeout (at `--request-timeout 5s`, below ~205 KiB/s, well above
 * the 64 KiB/s a body is given), every slice looked stalled and every large
 * PUT or UploadPart failed while the store kept taking its bytes.
 */
import { NodeBodySender, type StreamedBody } from "../src/store/node_http_send.ts";
import { MIN_PROGRESS_BYTES } from "../src/deadline.ts";
import { assert, assertEquals } from "./assert.ts";

async function steps(body: Uint8Array | StreamedBody): Promise<number[]> {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      await req.arrayBuffer();
      return new Response(null, { status: 200 });
    },
  );
  const sender = new NodeBodySender();
  try {
    const told: number[] = [];
    const res = await sender.send(new URL(`http://127.0.0.1:${server.addr.port}/k`), {
      method: "PUT",
      headers: {},
      body,
      onBodyBytes: (sent) => told.push(sent),
    });
    assertEquals(res.status, 200);
    return told;
  } finally {
    sender.close();
  }
}

function assertSmallSteps(told: number[], length: number) {
  assertEquals(told.at(-1), length);
  let before = 0;
  for (const sent of told) {
    assert(sent - before <= MIN_PROGRESS_BYTES, `a step of ${sent - before} bytes`);
    before = sent;
  }
}

Deno.test("a body in memory sent through node:http tells its progress at least every 64 KiB", async () => {
  const length = 3 * 1024 * 1024 + 5;
  assertSmallSteps(await steps(new Uint8Array(length)), length);
});

Deno.test("a streamed body's large chunks sent through node:http tell their progress at least every 64 KiB", async () => {
  const length = 2 * 1024 * 1024;
  const body: StreamedBody = {
    length,
    pipe: async (write) => {
      await write(new Uint8Array(length / 2));
      await write(new Uint8Array(length / 2));
    },
  };
  assertSmallSteps(await steps(body), length);
});
