#!/usr/bin/env bash
# Compatibility checks against real S3 tooling (deno task test:compat):
#  1. the real aws CLI against vc's fake S3 server (scripts/fake_s3.ts):
#     mb, cp (incl. a multipart upload), ls, sync both ways + diff, s3api
#     copy/delete-objects/list with encoding-type=url, rm, rb;
#  2. vc's S3 store contract tests, the store parity scenarios (FsStore,
#     MemoryStore, the fake and moto answering one scenario alike), the fake's
#     delimiter listings paged as moto pages them, and every vc subcommand run
#     as a process, against moto_server, a third-party S3
#     implementation, so the fake and S3Store are checked against it;
#  3. the repository suite (vc repo) with its content on moto; aws s3 cp and vc
#     reading each other's multipart uploads (hostile names, CRC32, vc-md5), and
#     vc serve over a moto bucket;
#  4. vc mirror and aws s3 sync agreeing on what is in sync, both ways, also for
#     hostile-but-legal names (spaces, + % ? #, NFC/NFD, emoji, long keys);
#  5. rclone check / md5sum / sync --checksum agreeing with vc mirror (skipped
#     without rclone).
# Needs: deno, aws (CLI v1 or v2), moto_server, python3; rclone optional. Any mismatch fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vc-compat.XXXXXX")"
FAKE_PID=""
MOTO_PID=""
CURRENT="setup"

cleanup() {
  local code=$?
  # Stop only the servers this script started, by their PIDs.
  if [[ -n "$FAKE_PID" ]]; then kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; fi
  if [[ -n "$MOTO_PID" ]]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  if [[ $code -ne 0 ]]; then
    echo "FAIL: $CURRENT (exit $code)" >&2
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() {
  CURRENT="$*"
  echo "--- $*"
}
pass() { echo "PASS: $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

for tool in deno aws moto_server python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# moto takes seconds to start: it starts now, while the aws CLI checks run
# against the fake S3 server, and is waited for when they are done.
PORT=$(free_port)
moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
MOTO_URL="http://127.0.0.1:$PORT"

# --- the aws CLI against the fake S3 server ---------------------------------

step "start fake S3 server"
: >"$WORK/fake.out"
deno run --allow-net --allow-read --allow-write scripts/fake_s3.ts --port 0 \
  >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
URL=""
for _ in $(seq 1 300); do
  URL="$(sed -n 's/^fake-s3 listening on \(http:[^ ]*\)$/\1/p' "$WORK/fake.out" | head -n 1)"
  [[ -n "$URL" ]] && break
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.err" >&2; fail "fake S3 server exited"; }
  sleep 0.1
done
[[ -n "$URL" ]] || fail "fake S3 server did not print its URL within 30s"
pass "fake S3 server listening on $URL"

# A private aws CLI configuration: the user's files and profile stay untouched.
export AWS_CONFIG_FILE="$WORK/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION 2>/dev/null || true
aws configure set default.s3.multipart_threshold 5MB
aws configure set default.s3.multipart_chunksize 5MB
awss3() { aws --endpoint-url "$URL" "$@"; }

step "build a local tree"
SRC="$WORK/src"
mkdir -p "$SRC/sub dir/ünïcödé" "$SRC/deep/a/b/c" "$SRC/odd"
for i in $(seq 1 20); do printf 'file %s\n' "$i" >"$SRC/deep/a/b/c/f$i.txt"; done
printf 'spaces\n' >"$SRC/sub dir/with space.txt"
printf 'unicode\n' >"$SRC/sub dir/ünïcödé/日本語 ✓.csv"
printf 'plus\n' >"$SRC/odd/a+b=c.txt"
printf 'percent\n' >"$SRC/odd/100%.txt"
printf 'amp\n' >"$SRC/odd/x&y;z'q.txt"
: >"$SRC/odd/empty"
head -c $((40 * 1024 * 1024)) /dev/urandom >"$SRC/big.bin"
FILES=$(find "$SRC" -type f | wc -l)
pass "tree of $FILES files (one of 40 MiB)"

step "make bucket"
awss3 s3 mb s3://compat >/dev/null
awss3 s3 ls | grep -q ' compat$' || fail "bucket not listed"
pass "mb + ls buckets"

step "recursive upload (multipart for the 40 MiB file)"
awss3 s3 cp --recursive --only-show-errors "$SRC" s3://compat/cp/
LISTED=$(awss3 s3 ls --recursive s3://compat/cp/ | wc -l)
[[ "$LISTED" -eq "$FILES" ]] || fail "ls --recursive shows $LISTED objects, expected $FILES"
ETAG=$(awss3 s3api head-object --bucket compat --key cp/big.bin --query ETag --output text)
[[ "$ETAG" == *-8\" || "$ETAG" == *-8 ]] || fail "40 MiB upload ETag $ETAG is not an 8-part multipart ETag"
SIZE=$(awss3 s3api head-object --bucket compat --key cp/big.bin --query ContentLength --output text)
[[ "$SIZE" -eq $((40 * 1024 * 1024)) ]] || fail "big.bin has $SIZE bytes"
pass "cp --recursive, ls --recursive ($LISTED objects), multipart ETag $ETAG"

step "download and compare"
awss3 s3 cp --only-show-errors s3://compat/cp/big.bin "$WORK/big.down"
cmp "$SRC/big.bin" "$WORK/big.down" || fail "big.bin differs after download"
awss3 s3 cp --only-show-errors "s3://compat/cp/sub dir/ünïcödé/日本語 ✓.csv" "$WORK/uni.down"
cmp "$SRC/sub dir/ünïcödé/日本語 ✓.csv" "$WORK/uni.down" || fail "unicode file differs"
pass "cp down (ranged multipart download) is byte-identical"

step "sync up, sync down, diff"
awss3 s3 sync --only-show-errors "$SRC" s3://compat/sync/
awss3 s3 sync --only-show-errors s3://compat/sync/ "$WORK/down"
diff -r "$SRC" "$WORK/down" || fail "synced tree differs"
AGAIN=$(awss3 s3 sync "$SRC" s3://compat/sync/ | wc -l)
[[ "$AGAIN" -eq 0 ]] || fail "a second sync up transferred $AGAIN files"
pass "sync both ways, diff -r identical, second sync is a no-op"

step "s3api: list-objects-v2 with encoding-type=url, copy-object, delete-objects"
# botocore asks for encoding-type=url itself and decodes the answer ...
KEYS=$(awss3 s3api list-objects-v2 --bucket compat --prefix "cp/odd/" \
  --query 'Contents[].Key' --output text)
for k in "cp/odd/a+b=c.txt" "cp/odd/100%.txt" "cp/odd/x&y;z'q.txt"; do
  grep -qF "$k" <<<"$KEYS" || fail "list-objects-v2 did not return $k (got: $KEYS)"
done
# ... but leaves the keys encoded when the user asks for it explicitly.
RAW=$(awss3 s3api list-objects-v2 --bucket compat --prefix "cp/odd/" --encoding-type url \
  --query 'Contents[].Key' --output text)
grep -qF "cp/odd/a%2Bb%3Dc.txt" <<<"$RAW" || fail "encoded listing lacks a%2Bb%3Dc.txt: $RAW"
awss3 s3api copy-object --bucket compat --key "copied/a b+c.txt" \
  --copy-source "compat/cp/odd/a+b=c.txt" >"$WORK/copy.json"
grep -q '"ETag"' "$WORK/copy.json" || fail "copy-object response has no ETag"
awss3 s3 cp --only-show-errors "s3://compat/copied/a b+c.txt" "$WORK/copied.txt"
cmp "$SRC/odd/a+b=c.txt" "$WORK/copied.txt" || fail "copied object differs"
awss3 s3 cp --only-show-errors "s3://compat/cp/odd/100%.txt" "s3://compat/copied/server side.txt"
cat >"$WORK/delete.json" <<'JSON'
{"Objects": [{"Key": "copied/a b+c.txt"}, {"Key": "copied/server side.txt"}, {"Key": "copied/missing"}]}
JSON
awss3 s3api delete-objects --bucket compat --delete "file://$WORK/delete.json" >"$WORK/deleted.json"
DELETED=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Deleted"]))' "$WORK/deleted.json")
[[ "$DELETED" -eq 3 ]] || fail "delete-objects reported $DELETED deletions"
[[ -z "$(awss3 s3 ls --recursive s3://compat/copied/)" ]] || fail "copied/ is not empty"
awss3 s3api put-object --bucket compat --key md5/x --body "$SRC/odd/empty" \
  --content-md5 1B2M2Y8AsgTpgAmY7PhCfg== >/dev/null
pass "encoding-type=url listing, copy-object, s3 cp s3->s3, delete-objects, Content-MD5"

step "rm --recursive and rb"
awss3 s3 rm --recursive --only-show-errors s3://compat/
[[ -z "$(awss3 s3 ls --recursive s3://compat/)" ]] || fail "bucket not empty after rm --recursive"
awss3 s3 rb s3://compat >/dev/null
pass "rm --recursive, rb"

kill "$FAKE_PID" 2>/dev/null || true
wait "$FAKE_PID" 2>/dev/null || true
FAKE_PID=""
grep -q "fake-s3 stopped" "$WORK/fake.err" || fail "fake S3 server did not stop cleanly: $(cat "$WORK/fake.err")"
pass "fake S3 server stopped cleanly on SIGTERM"

# --- the S3 store contract against moto -------------------------------------

step "wait for moto_server"
for _ in $(seq 1 300); do
  if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "$MOTO_URL/" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; fail "moto_server exited"; }
  sleep 0.1
done
python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$MOTO_URL/" \
  >/dev/null 2>&1 || fail "moto_server did not answer on $MOTO_URL within 30s"
pass "moto_server listening on $MOTO_URL"

# The test files that run against VC_TEST_S3_ENDPOINT when it is set, in one
# scripts/test_shards.ts run: one type check for all of them and two `deno test`
# processes at once (batches of eight), where one `deno test` each checked and
# loaded its graph again, one after the other. What they cover:
#  - the S3 store contract; lean ListObjectsV2 (tricky keys, paging);
#  - every vc subcommand, as a process; the repository suite (vc repo);
#  - the asset cache verifying boto3 multipart objects with non-standard part
#    sizes (uniform 6,000,000-byte and uneven 5/7/3 MiB parts);
#  - multipart puts with CRC32 part checksums (the cache service's uploads);
#  - versions another tool wrote under keys with a leading / (listed and read);
#    keys with . and .. segments;
#  - vc verify of a cached version another tool replaced in parts (reported,
#    locked or not; a re-upload of the same bytes is ok);
#  - objects another tool stored as GLACIER (reported as archived, not access
#    denied; a mirror down fetches the rest); the integrity lock file;
#  - aws s3 cp and vc on one bucket: aws's 8 MiB / 7 MB parts with CRC32 verify
#    in vc, vc's parts and vc-md5 read back by aws; vc serve over it; objects aws
#    wrote with SHA-256/SHA-1 checksums, Content-Encoding: gzip, no bytes, and
#    folder markers read as stored; vc mirror's content types and vc-md5 seen by
#    aws s3api head-object; a version deleted from a bucket with S3 versioning;
#    a cached multipart copy kept when aws s3api copy-object rewrites it whole;
#  - vc mirror (both directions, watch, ranges);
#  - version listings stepping past a folder under their prefix (startAfter).
# A failed file fails the run and is named at the end.
step "S3 store contract, store parity, S3 listing, every vc subcommand, repository, cache, mirror: test files against moto"
# moto checks If-None-Match: * and then writes, without a lock: two racing
# creators can both win under load, so the contract's race case asks moto only
# what such a store promises (VC_TEST_S3_CONDITIONAL_PUT_RACY).
VC_TEST_S3_ENDPOINT="$MOTO_URL" VC_TEST_S3_CONDITIONAL_PUT_RACY=1 \
  deno run --allow-all scripts/test_shards.ts --jobs 2 \
  tests/store_contract_s3_test.ts tests/store_parity_test.ts tests/fake_s3_delimiter_compat_test.ts \
  tests/s3_list_test.ts tests/cli_s3_workflow_test.ts \
  tests/repo_s3_compat_test.ts tests/cache_multipart_compat_test.ts \
  tests/s3_part_checksum_compat_test.ts tests/cli_slash_keys_test.ts tests/dot_segment_keys_test.ts \
  tests/versioned_verify_replaced_multipart_test.ts tests/s3_archived_object_test.ts \
  tests/cli_lock_workflow_test.ts tests/aws_cli_interop_compat_test.ts \
  tests/mirror_test.ts tests/mirror_watch_test.ts tests/mirror_range_test.ts \
  tests/versions_listing_skips_folders_test.ts tests/versioned_deleted_version_reuse_test.ts \
  tests/versioned_own_upload_removal_test.ts
pass "test files against moto_server"

step "vc mirror and aws s3 sync agree on what is in sync, both ways, against moto"
MI="$WORK/mirror-interop"
mkdir -p "$MI/src/d"
echo one >"$MI/src/a.txt"
echo two >"$MI/src/d/b.csv"
# Older than their upload, as files being mirrored usually are: S3 keeps
# whole seconds, so a file written in the upload's own second looks newer
# than its object to aws (which would upload it again after its own cp too).
touch -d '1 minute ago' "$MI/src/a.txt" "$MI/src/d/b.csv"
awsmoto() { aws --endpoint-url "$MOTO_URL" "$@"; }
vcmoto() {
  # The release permissions, as `deno task vc` gives them.
  AWS_ENDPOINT_URL="$MOTO_URL" VC_CACHE_DIR="$MI/cache" XDG_CONFIG_HOME="$MI/config" \
    deno task --quiet vc "$@"
}
awsmoto s3 mb s3://interop >/dev/null
vcmoto mirror "$MI/src" s3://interop/up >/dev/null
UP=$(awsmoto s3 sync "$MI/src" s3://interop/up --dryrun | wc -l)
[[ "$UP" -eq 0 ]] || fail "aws s3 sync would upload $UP files vc mirror uploaded"
[[ "$(awsmoto s3api head-object --bucket interop --key up/d/b.csv --query ContentType --output text)" == text/csv* ]] ||
  fail "vc mirror uploaded d/b.csv without its content type"
vcmoto mirror s3://interop/up "$MI/down" >/dev/null
DOWN=$(awsmoto s3 sync s3://interop/up "$MI/down" --dryrun | wc -l)
[[ "$DOWN" -eq 0 ]] || fail "aws s3 sync would download $DOWN files vc mirror downloaded"
diff -r "$MI/src" "$MI/down" || fail "mirrored tree differs"
# A copy of the same files with newer times (cp -r, a checkout): vc mirror finds
# them equal, downloads nothing and gives them the objects' times, so aws s3
# sync (sizes and times only) does not download them again either.
mkdir -p "$MI/copy" && cp -r "$MI/src/." "$MI/copy/"
COPIED=$(vcmoto mirror s3://interop/up "$MI/copy" --json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["transferred"])')
[[ "$COPIED" -eq 0 ]] || fail "vc mirror downloaded $COPIED files a copy already held"
COPY=$(awsmoto s3 sync s3://interop/up "$MI/copy" --dryrun | wc -l)
[[ "$COPY" -eq 0 ]] || fail "aws s3 sync would download $COPY files vc mirror found equal"
pass "aws s3 sync finds nothing to do after vc mirror up and down (also over a newer copy); content types set"

step "vc mirror of hostile-but-legal names, judged by aws s3 sync, against moto"
HN="$WORK/hostile"
mkdir -p "$HN/src/dir with space"
python3 - "$HN/src" <<'PY'
import os, sys, unicodedata
root = sys.argv[1]
names = ["a b.txt", "a+b.txt", "100%.txt", "a%2Fb.txt", "%41.txt", "q?x.txt", "h#x.txt",
         "a&b=c.txt", " lead.txt", "trail.txt ", "a..b", "...", "..x", "x..", "empty",
         unicodedata.normalize("NFC", "ñ.txt"), unicodedata.normalize("NFD", "cafe\u0301.txt"),
         "🎉emoji👍.txt", "dir with space/inner.md", "L" * 250 + "/" + "z" * 250 + ".txt"]
for n in names:
    os.makedirs(os.path.dirname(os.path.join(root, n)), exist_ok=True)
    with open(os.path.join(root, n), "wb") as f:
        f.write(b"" if n == "empty" else ("content of " + n + "\n").encode())
PY
find "$HN/src" -type f -exec touch -d '1 minute ago' {} +
vcmoto mirror "$HN/src" s3://interop/hostile >/dev/null
echo stale >"$HN/stale.txt"
awsmoto s3 cp --only-show-errors "$HN/stale.txt" "s3://interop/hostile/gone?.txt"
vcmoto mirror "$HN/src" s3://interop/hostile --delete >/dev/null
AGAIN=$(vcmoto mirror "$HN/src" s3://interop/hostile --delete --json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["transferred"] + r["deleted"])')
[[ "$AGAIN" -eq 0 ]] || fail "a second vc mirror of hostile names transferred or deleted $AGAIN"
awsmoto s3 sync --only-show-errors s3://interop/hostile "$HN/aws"
diff -r "$HN/src" "$HN/aws" || fail "aws s3 sync of what vc mirror uploaded differs"
vcmoto mirror s3://interop/hostile "$HN/down" >/dev/null
diff -r "$HN/src" "$HN/down" || fail "vc mirror down of hostile names differs"
pass "spaces, + % ? # & =, NFC/NFD, emoji, 500-byte keys, dot names: equal both ways, no-op rerun"

step "rclone: check, md5sum and sync --checksum agree with vc mirror, both ways, against moto"
if command -v rclone >/dev/null; then
  # A private rclone configuration: an S3 remote "moto" from the environment.
  export RCLONE_CONFIG="$WORK/rclone.conf"
  : >"$RCLONE_CONFIG"
  export RCLONE_CONFIG_MOTO_TYPE=s3 RCLONE_CONFIG_MOTO_PROVIDER=Other \
    RCLONE_CONFIG_MOTO_ENDPOINT="$MOTO_URL" RCLONE_CONFIG_MOTO_ENV_AUTH=true
  # rclone (1.60) refuses to start when AWS_CA_BUNDLE is set ("unable to load custom CA bundle",
  # as on CI machines): moto is plain http, so no bundle is needed.
  rclone() { env -u AWS_CA_BUNDLE rclone "$@"; }
  # Past vc's 16 MiB multipart threshold: its ETag is no MD5, only md5chksum tells rclone.
  head -c $((17 * 1024 * 1024)) /dev/urandom >"$MI/src/d/big.bin"
  touch -d '1 minute ago' "$MI/src/d/big.bin"
  vcmoto mirror "$MI/src" s3://interop/rc >/dev/null
  rclone md5sum moto:interop/rc/d/big.bin | grep -q "^$(md5sum <"$MI/src/d/big.bin" | cut -c1-32) " ||
    fail "rclone md5sum does not show the MD5 of what vc mirror uploaded in parts"
  rclone check "$MI/src" moto:interop/rc 2>"$WORK/rclone-check.log" ||
    fail "rclone check: $(cat "$WORK/rclone-check.log")"
  rclone check "$HN/src" moto:interop/hostile 2>"$WORK/rclone-check.log" ||
    fail "rclone check of hostile names: $(cat "$WORK/rclone-check.log")"
  grep -q "could not be checked" "$WORK/rclone-check.log" &&
    fail "rclone check could not compare every hash: $(cat "$WORK/rclone-check.log")"
  rclone sync --checksum --dry-run -v "$MI/src" moto:interop/rc 2>"$WORK/rclone-sync.log"
  grep -q "Skipped" "$WORK/rclone-sync.log" &&
    fail "rclone sync --checksum would transfer what vc mirror uploaded: $(cat "$WORK/rclone-sync.log")"
  # The other way: rclone's multipart upload (md5chksum, 5 MiB parts) mirrored down and checked.
  # (moto refuses rclone's first multipart attempt now and then; rclone retries.)
  rclone copy --s3-upload-cutoff 5M --s3-chunk-size 5M "$MI/src" moto:interop/byrc \
    2>"$WORK/rclone-copy.log" || fail "rclone copy: $(cat "$WORK/rclone-copy.log")"
  vcmoto mirror s3://interop/byrc "$MI/rcdown" >/dev/null
  diff -r "$MI/src" "$MI/rcdown" || fail "tree rclone uploaded differs after vc mirror down"
  rclone check "$MI/rcdown" moto:interop/byrc 2>"$WORK/rclone-check.log" ||
    fail "rclone check after vc mirror down: $(cat "$WORK/rclone-check.log")"
  pass "rclone md5sum/check/sync --checksum agree with vc mirror up; rclone's multipart uploads mirror down"
else
  echo "SKIP: rclone is not installed"
fi

CURRENT="done"
echo "PASS: all compatibility checks"
