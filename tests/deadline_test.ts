/**
 * Request deadlines without setTimeout (src/deadline.ts): they fire in
 * order, cancelled ones never fire, and a pending one does not keep a process
 * alive (like an unref'd timer).
 */
import { deadline } from "../src/deadline.ts";
import { assertEquals } from "./assert.ts";

Deno.test("deadline: fires in time order, cancelled ones never", async () => {
  const alive = setInterval(() => {}, 1000); // the deadlines guard nothing else here
  try {
    const fired: string[] = [];
    const cancelC = deadline(15, () => fired.push("c"));
    deadline(30, () => fired.push("b"));
    deadline(5, () => fired.push("a"));
    cancelC();
    await new Promise<void>((resolve) => deadline(60, resolve));
    assertEquals(fired, ["a", "b"]);
  } finally {
    clearInterval(alive);
  }
});

Deno.test("deadline: a late check fires the due deadlines in time order", async () => {
  const alive = setInterval(() => {}, 1000);
  try {
    const fired: string[] = [];
    deadline(30, () => fired.push("b"));
    deadline(5, () => fired.push("a"));
    // A busy process: the check comes when both are due.
    const until = performance.now() + 60;
    while (performance.now() < until) { /* busy */ }
    await new Promise<void>((resolve) => deadline(1, resolve));
    assertEquals(fired, ["a", "b"]);
  } finally {
    clearInterval(alive);
  }
});

Deno.test("deadline: a pending deadline does not keep a process alive", async () => {
  const code = `import { deadline } from ${
    JSON.stringify(new URL("../src/deadline.ts", import.meta.url).href)
  };
deadline(120_000, () => console.log("fired"));
console.log("done");`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
    // Bounded: a process kept alive by the deadline would be killed here and fail below.
    signal: AbortSignal.timeout(60_000),
  }).output();
  assertEquals(
    new TextDecoder().decode(out.stdout),
    "done\n",
    new TextDecoder().decode(out.stderr),
  );
  assertEquals(out.code, 0);
});

Deno.test("deadline: one that re-arms itself on a clock read past it each time still lets the event loop run", async () => {
  const alive = setInterval(() => {}, 1000);
  const realNow = performance.now;
  let t = realNow.call(performance);
  // Each reading is a minute after the last (a test's fast clock): every
  // deadline is due when it is checked. A check run as a microtask then fired
  // and re-armed without end, starving everything else.
  performance.now = () => (t += 60_000);
  try {
    let fired = 0;
    const LIMIT = 1000;
    const { promise: done, resolve } = Promise.withResolvers<void>();
    const again = () => {
      if (++fired >= LIMIT) resolve();
      else deadline(30_000, again);
    };
    deadline(30_000, again);
    const firedWhenOtherWorkRan = await new Promise<number>((r) => setTimeout(() => r(fired), 0));
    assertEquals(firedWhenOtherWorkRan < LIMIT, true, `${firedWhenOtherWorkRan} fired first`);
    await done; // the rest of the chain, a wait of 1 ms each
  } finally {
    performance.now = realNow;
    clearInterval(alive);
  }
});
