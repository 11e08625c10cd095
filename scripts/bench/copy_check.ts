/**
 * The check of a large cached copy of a locked version (its record has the
 * ETag's MD5 and the lock's SHA-256), as `copyVerified` (`vc sync`, `vc get`)
 * and `vc cache verify` run it: wall time, the process's CPU time (user and
 * system, from /proc: less swayed by other load than the wall time) and how
 * many times the progress went back to 0 (how many reads of the file).
 * 1 GiB by default.
 *
 *     deno run -A scripts/bench/copy_check.ts [dir] [MiB]
 *
 * @module
 */
import { problemWithCopy } from "../../src/cache/record_check.ts";

// This process's user and system CPU seconds so far (Linux; zeros elsewhere).
function cpu(): { user: number; sys: number } {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
    return { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 };
  } catch {
    return { user: 0, sys: 0 };
  }
}

const dir = Deno.args[0] ?? (await Deno.makeTempDir());
const mib = Number(Deno.args[1] ?? 1024);
const path = `${dir}/copy-check.bin`;
try {
  {
    using file = await Deno.open(path, { write: true, create: true, truncate: true });
    const chunk = crypto.getRandomValues(new Uint8Array(65536));
    const block = new Uint8Array(1024 * 1024);
    for (let i = 0; i < block.length; i += chunk.length) block.set(chunk, i);
    for (let i = 0; i < mib; i++) {
      block[0] = i & 255;
      block[1] = i >> 8;
      await file.write(block);
    }
  }
  const { createHash } = await import("node:crypto");
  const md5 = createHash("md5"), sha = createHash("sha256");
  {
    using file = await Deno.open(path);
    const buf = new Uint8Array(8 * 1024 * 1024);
    for (let n; (n = await file.read(buf)) !== null;) {
      md5.update(buf.subarray(0, n));
      sha.update(buf.subarray(0, n));
    }
  }
  const meta = { size: mib * 1024 * 1024, etag: md5.digest("hex"), sha256: sha.digest("hex") };
  for (let round = 1; round <= 3; round++) {
    let reads = 0;
    const start = performance.now();
    const before = cpu();
    const problem = await problemWithCopy(path, meta, {
      onProgress: (p) => {
        if (p.bytes === 0) reads++;
      },
    });
    const ms = performance.now() - start;
    const after = cpu();
    console.log(
      `round ${round}: ${(ms / 1000).toFixed(2)} s, user ${
        (after.user - before.user).toFixed(2)
      } s, ` +
        `sys ${(after.sys - before.sys).toFixed(2)} s, reads ${reads}, ${problem ?? "ok"}`,
    );
  }
} finally {
  await Deno.remove(path).catch(() => {});
}
