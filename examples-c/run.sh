#!/usr/bin/env bash
# Builds librocketmq, installs it into a scratch prefix, builds the C examples
# against it through pkg-config (-Wall -Wextra -Werror -pedantic -std=c11),
# checks that the static library links with only what `pkg-config --static`
# prints, then runs every example and the misuse suite against the local
# RocketMQ, under valgrind when it is installed (VALGRIND=0 skips it).
# Ends with the line "N passed, N failed"; exits non-zero when anything failed.
#
# Environment: ROCKETMQ_NAMESRV (127.0.0.1:9876), ROCKETMQ_BROKER (127.0.0.1:10911),
# CARGO_TARGET_DIR, CC, VALGRIND, BUILD_DIR (examples-c/build).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD_DIR:-$here/build}
prefix=$build/prefix
target=${CARGO_TARGET_DIR:-$root/target}
CC=${CC:-cc}
CFLAGS="-Wall -Wextra -Werror -pedantic -std=c11 -O1 -g"
EXAMPLES="producer_sync producer_async producer_orderly producer_batch transaction_producer request_reply push_consumer push_consumer_orderly pull_consumer misuse bench_producer"

passed=0
failed=0
failures=()
record() { # name status
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS  $1"
    else
        failed=$((failed + 1)); failures+=("$1"); echo "FAIL  $1"
    fi
}
summary() {
    [ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

use_valgrind=0
if [ "${VALGRIND:-auto}" != 0 ] && command -v valgrind >/dev/null; then use_valgrind=1; fi
if [ "${VALGRIND:-auto}" = 1 ] && [ $use_valgrind = 0 ]; then echo "valgrind not installed"; record valgrind 1; summary; fi

mkdir -p "$build"
echo "== building and installing librocketmq into $prefix"
if ! make -C "$root" install PREFIX="$prefix" >"$build/install.log" 2>&1; then
    tail -30 "$build/install.log"; record install 1; summary
fi
record "install (SONAME $(readelf -d "$prefix/lib/librocketmq.so" | sed -n 's/.*soname: \[\(.*\)\]/\1/p'))" \
    "$(readelf -d "$prefix/lib/librocketmq.so" | grep -q 'soname: \[librocketmq.so.0\]'; echo $?)"
(cd "$root" && cargo build --release --example reply_responder >"$build/responder-build.log" 2>&1)
record "build reply_responder" $?
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

# Every export is rmq_* or one of the 116 names of the drop-in rocketmq-client-cpp API.
dropin=$(sed -n '/^symbols="/,/^"$/p' "$root/scripts/check-compat-symbols" | tr ' ' '\n' | grep -E '^[A-Z][A-Za-z]+$')
others=$(nm -D --defined-only "$prefix/lib/librocketmq.so" | awk '{print $3}' | grep -v '^rmq_' |
    grep -vxF -f <(printf '%s\n' "$dropin") | wc -l)
record "exported symbols all rmq_ ($(nm -D --defined-only "$prefix/lib/librocketmq.so" | grep -c ' rmq_') of them) or drop-in ($(printf '%s\n' "$dropin" | wc -l))" "$others"
# The header stands alone in C99 and C++11.
printf '#include "rocketmq.h"\nint main(void) { return rmq_version_number() == RMQ_VERSION_NUMBER ? 0 : 1; }\n' \
    >"$build/header_check.c"
$CC -std=c99 -Wall -Wextra -Werror -pedantic -I"$prefix/include" -fsyntax-only "$build/header_check.c" &&
    ${CXX:-c++} -x c++ -std=c++11 -Wall -Wextra -Werror -pedantic -I"$prefix/include" -fsyntax-only \
        "$build/header_check.c"
record "header compiles alone (C99, C++11)" $?

echo "== compiling the examples with $CFLAGS"
for ex in $EXAMPLES; do
    # shellcheck disable=SC2046
    $CC $CFLAGS "$here/$ex.c" -o "$build/$ex" $(pkg-config --cflags --libs rocketmq) -lpthread \
        -Wl,-rpath,"$prefix/lib"
    record "compile $ex" $?
done
# Static: the archive plus what `pkg-config --static` prints, and nothing else.
# shellcheck disable=SC2046
$CC $CFLAGS "$here/producer_sync.c" -o "$build/producer_sync_static" $(pkg-config --cflags rocketmq) \
    "$prefix/lib/librocketmq.a" $(pkg-config --static --libs rocketmq)
ok=$?
if [ $ok -eq 0 ] && readelf -d "$build/producer_sync_static" | grep -q 'librocketmq'; then ok=1; fi
record "link statically (pkg-config --static)" $ok

run() { # name command...
    local name=$1; shift
    local log="$build/$name.log"
    if [ $use_valgrind = 1 ]; then
        valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
            --error-exitcode=97 --log-file="$build/$name.valgrind.log" "$@" >"$log" 2>&1
    else
        "$@" >"$log" 2>&1
    fi
    local st=$?
    if [ $st -ne 0 ]; then
        tail -20 "$log"
        [ $use_valgrind = 1 ] && grep -E 'ERROR SUMMARY|definitely lost' "$build/$name.valgrind.log"
    fi
    return $st
}

echo "== running against ${ROCKETMQ_NAMESRV:-127.0.0.1:9876}$([ $use_valgrind = 1 ] && echo ' under valgrind')"
for ex in producer_sync producer_async producer_orderly producer_batch transaction_producer push_consumer push_consumer_orderly pull_consumer misuse; do
    run "$ex" "$build/$ex"
    record "run $ex" $?
done
run producer_sync_static "$build/producer_sync_static"
record "run producer_sync_static" $?

# Request-reply: the library's Rust responder serves the topic; then the
# example answers its own requests with a C push consumer.
topic="c_request_$$_$(date +%s)"
"$target/release/examples/reply_responder" "$topic" 3 >"$build/responder.log" 2>&1 &
responder=$!
for _ in $(seq 1 300); do grep -q ready "$build/responder.log" 2>/dev/null && break; sleep 0.1; done
run request_reply "$build/request_reply" "$topic" 3
st=$?
wait $responder || st=1
record "run request_reply (with reply_responder)" $st
run request_reply_self "$build/request_reply" "c_request_self_$$_$(date +%s)" 3 self
record "run request_reply (its own C responder, rmq_message_new_reply)" $?

# Benchmark smoke run (not under valgrind).
"$build/bench_producer" --mode sync --count 2000 --concurrency 4 >"$build/bench.log" 2>&1 &&
    "$build/bench_producer" --mode async --count 2000 >>"$build/bench.log" 2>&1
record "run bench_producer (smoke)" $?
cat "$build/bench.log"

summary
