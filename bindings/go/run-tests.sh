#!/usr/bin/env bash
# Builds librocketmq, installs it into a scratch prefix (make install, which
# writes rocketmq.pc), then checks and tests the Go binding against the local
# RocketMQ: go vet (pkg-config build and CGO_CFLAGS/CGO_LDFLAGS build),
# go test -race ./..., the examples, and a sync-send benchmark of Go against
# the C benchmark in the same run. Ends with go test's summary and the line
# "N passed, N failed"; exits non-zero when anything failed.
#
# Environment: ROCKETMQ_NAMESRV (127.0.0.1:9876), CARGO_TARGET_DIR,
# BUILD_DIR (bindings/go/build), BENCH_COUNT (20000), BENCH_CONCURRENCY (16).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$here/build}
prefix=$build/prefix
target=${CARGO_TARGET_DIR:-$root/target}
export ROCKETMQ_NAMESRV=${ROCKETMQ_NAMESRV:-127.0.0.1:9876}
count=${BENCH_COUNT:-20000}
conc=${BENCH_CONCURRENCY:-16}

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

mkdir -p "$build"
echo "== building librocketmq and installing it into $prefix"
if ! make -C "$root" install PREFIX="$prefix" >"$build/install.log" 2>&1; then
    tail -30 "$build/install.log"; record "make install" 1; summary
fi
record "make install" 0
(cd "$root" && cargo build --release --example reply_responder >"$build/responder-build.log" 2>&1)
record "build reply_responder" $?
export RMQ_REPLY_RESPONDER="$target/release/examples/reply_responder"

# The default build: cgo asks pkg-config for rocketmq.pc.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export CGO_ENABLED=1
cd "$here" || exit 1

test -z "$(gofmt -l .)"
record "gofmt" $?
go vet ./...
record "go vet (pkg-config)" $?
# The other documented build: no pkg-config, flags into the repo's build output.
static="$target/release/librocketmq.a -lpthread -ldl -lm -lrt -lutil -lgcc_s"
CGO_CFLAGS="-I$root/include" CGO_LDFLAGS="$static" go vet -tags rocketmq_env ./...
record "go vet (-tags rocketmq_env, CGO_CFLAGS/CGO_LDFLAGS)" $?
env -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH CGO_CFLAGS="-I$root/include" CGO_LDFLAGS="$static" \
    go test -tags rocketmq_env -count=1 -run 'TestSimple|TestMessageProperties|TestDecodeMessage' . 2>&1 | tail -3
record "go test -tags rocketmq_env (static archive, no pkg-config)" "${PIPESTATUS[0]}"

echo "== go test -race ./... against $ROCKETMQ_NAMESRV"
go test -race -count=1 -timeout 600s ./... 2>&1 | tee "$build/go-test.log" | grep -Ev '^[0-9T:.-]+Z (WARN|ERROR|INFO|DEBUG) |^(runtime/debug|github.com|\s|panic\(|goroutine )'
st=${PIPESTATUS[0]}
grep -q 'WARNING: DATA RACE' "$build/go-test.log" && st=1
record "go test -race ./..." "$st"

echo "== examples"
mkdir -p "$build/examples"
st=0
for dir in $(cd examples && find . -name main.go -exec dirname {} \; | sort); do
    name=$(echo "${dir#./}" | tr / _)
    go build -o "$build/examples/$name" "./examples/${dir#./}" >>"$build/examples-build.log" 2>&1 || st=1
done
[ $st -ne 0 ] && tail -20 "$build/examples-build.log"
record "build examples" $st
for ex in producer_simple consumer_simple; do
    timeout 120 "$build/examples/$ex" >"$build/$ex.log" 2>&1
    st=$?
    [ $st -ne 0 ] && tail -5 "$build/$ex.log"
    record "run example $ex" $st
done

echo "== sync send benchmark: Go against C ($count messages, 1 KiB, $conc senders)"
cc -O2 -std=c11 "$root/examples-c/bench_producer.c" -o "$build/bench_producer" \
    $(pkg-config --cflags --libs rocketmq) -lpthread -Wl,-rpath,"$prefix/lib" 2>"$build/bench-c-build.log"
record "build C bench" $?
topic="GoCBench_$$_$(date +%s)"
"$build/bench_producer" --mode sync --count "$count" --concurrency "$conc" --topic "$topic" 2>&1 | tee "$build/bench.log"
record "C bench" "${PIPESTATUS[0]}"
"$build/examples/benchmark" --mode sync --count "$count" --concurrency "$conc" --topic "$topic" 2>&1 | tee -a "$build/bench.log"
record "Go bench (SendSync, context.Background)" "${PIPESTATUS[0]}"
"$build/examples/benchmark" --mode sync-ctx --count "$count" --concurrency "$conc" --topic "$topic" 2>&1 | tee -a "$build/bench.log"
record "Go bench (SendSync, context with deadline)" "${PIPESTATUS[0]}"

summary
