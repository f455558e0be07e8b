# librocketmq: build, test, demo, install.
PREFIX ?= /usr/local
CARGO ?= cargo

.PHONY: all build release headers test demo bench install clean broker-start broker-stop

all: build

build:
	$(CARGO) build --release

release: build

# Regenerates include/rocketmq.h from src/ffi (committed; CI checks it is fresh).
headers:
	$(CARGO) build --features gen-headers

# Every check and every test, against a local RocketMQ that it starts and stops.
test:
	bash .ci/run

# Builds, starts a local RocketMQ if none is reachable, sends and consumes messages.
demo:
	bash scripts/demo

bench:
	$(CARGO) bench --bench protocol

broker-start:
	scripts/rocketmq-local start

broker-stop:
	scripts/rocketmq-local stop

install: build
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 0755 target/release/librocketmq.so $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 target/release/librocketmq.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 include/rocketmq.h $(DESTDIR)$(PREFIX)/include/

clean:
	$(CARGO) clean
