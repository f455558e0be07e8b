# librocketmq: build, test, demo, install.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
CARGO ?= cargo
# Where cargo puts its output (honours CARGO_TARGET_DIR).
TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),target)
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR := $(firstword $(subst ., ,$(VERSION)))
# What the static library needs besides itself
# (`cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`).
STATIC_LIBS ?= -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

.PHONY: all build release headers test test-c demo bench install clean broker-start broker-stop

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

# Builds and runs the C examples and the misuse suite against the local RocketMQ.
test-c:
	bash examples-c/run.sh

# Installs librocketmq.so (SONAME librocketmq.so.MAJOR), librocketmq.a, the
# headers and rocketmq.pc (pkg-config) under PREFIX (DESTDIR for staging).
install: build
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 0755 $(TARGET_DIR)/release/librocketmq.so $(DESTDIR)$(LIBDIR)/librocketmq.so.$(VERSION)
	ln -sf librocketmq.so.$(VERSION) $(DESTDIR)$(LIBDIR)/librocketmq.so.$(MAJOR)
	ln -sf librocketmq.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/librocketmq.so
	install -m 0644 $(TARGET_DIR)/release/librocketmq.a $(DESTDIR)$(LIBDIR)/librocketmq.a
	cp -R include/. $(DESTDIR)$(INCLUDEDIR)/
	printf '%s\n' \
	  'prefix=$(PREFIX)' \
	  'libdir=$(LIBDIR)' \
	  'includedir=$(INCLUDEDIR)' \
	  '' \
	  'Name: rocketmq' \
	  'Description: Apache RocketMQ client (librocketmq), native C API' \
	  'Version: $(VERSION)' \
	  'Libs: -L$${libdir} -lrocketmq' \
	  'Libs.private: $(STATIC_LIBS)' \
	  'Cflags: -I$${includedir}' \
	  > $(DESTDIR)$(LIBDIR)/pkgconfig/rocketmq.pc

clean:
	$(CARGO) clean
