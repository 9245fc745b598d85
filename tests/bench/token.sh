#!/usr/bin/env bash
# tests/bench/token.sh: minting and verifying person tokens (run by scripts/bench).
#
#   tests/bench/token.sh [BUILD_DIR [SCRATCH_DIR]]     (or BENCH_BUILD, BENCH_DIR)
#
# pw-bench-token N (N = 300,000; BENCH_QUICK=1: 30,000) mints N action tokens
# and verifies an action token and a session token N times each, in a store of
# its own, through the daemon's token_mint/token_verify. The goal: verifying
# takes under 10 µs. "BENCH name=token.* key=value" lines go to stdout, a
# markdown block to $BENCH_DIR/token.md.
set -euo pipefail

. "$(dirname "$0")/lib.sh" "$@"
N=300000
[ "${BENCH_QUICK:-0}" = 1 ] && N=30000

out=$(cd "$DIR" && "$BUILD/pw-bench-token" "$N")
echo "$out" >&2
# "verify (action)   4.34 us" -> BENCH name=token.verify_action us=4.34
echo "$out" | sed -n 's/^\([a-z]*\) (\([a-z]*\)) *\([0-9.]*\) us.*/BENCH name=token.\1_\2 us=\3 n='"$N"'/p'
{
	echo "Person tokens, $N each (goal: verify under 10 µs):"
	echo
	echo '| | µs per token |'
	echo '|---|---:|'
	echo "$out" | sed -n 's/^\([a-z]* ([a-z]*)\) *\([0-9.]*\) us.*/| \1 | \2 |/p'
} >"$DIR/token.md"
