# The `tps` command line as make targets, with the names the user guide uses (DESIGN.md, "Command line").
# `make` (or `make help`) lists them. Targets that talk to the system build dist/ first when sources changed.
#
# Variables: URL=http://host:port (the API; default http://localhost:$PORT), PORT=8080 (for up and run-local),
# LATENCY, ERROR_RATE, TARGET, POOL (chaos), GREP (metrics), TYPE, PAYLOAD (signal), ID (dlq-replay),
# RATE, DURATION (load), OWN_NATS=1 (run-local starts a nats-server of its own), IMAGE (image: its tag).

.DEFAULT_GOAL := help
SHELL := /bin/sh

TPS := node bin/tps.js
CLI := dist/cli/main.js
SOURCES := $(shell find src -name '*.ts' ! -name '*.test.ts' 2>/dev/null)

URL ?=
URL_FLAG = $(if $(URL),--url $(URL))
LATENCY ?= 5000
ERROR_RATE ?=
TARGET ?= service-c
POOL ?=
GREP ?=
TYPE ?= execute
PAYLOAD ?=
ID ?=
RATE ?= 100
DURATION ?= 60
IMAGE ?= tps-reference-system:latest

# For targets the design names that this build does not have yet: say so, fail with 2 like `tps`.
DOCKER_ENGINE = docker info >/dev/null 2>&1
COMPOSE = docker compose
not_built = @echo "make $@: not built yet ($(1))" >&2; exit 2

.PHONY: help up down restart run-local logs logs-system logs-nats logs-rabbitmq dashboard traces \
	health status info metrics signal dlq dlq-replay \
	load spike stress stress-test \
	experiment chaos-downstream chaos chaos-stop chaos-status chaos-crash-worker chaos-queue-down chaos-queue-recover chaos-cascade \
	build image test lint typecheck format bench clean

##@ Help

help: ## list every target with what it does (this list)
	@echo "usage: make <target> [VARIABLE=value ...]"
	@awk 'BEGIN { FS = ":.*## " } \
		/^##@/ { printf "\n%s\n", substr($$0, 5); next } \
		/^[a-zA-Z0-9_.-]+:.*## / { printf "  %-22s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "  Variables: URL=... (API, default http://localhost:\$$PORT), PORT=8080, LATENCY=5000, TARGET=service-c, ..."

##@ Run

up: $(CLI) ## the docker compose stack when a Docker engine answers; otherwise the embedded system in the background
	@if $(DOCKER_ENGINE); then $(COMPOSE) up -d --build; \
	else echo "make up: no Docker engine answers: starting the embedded system instead (same API on :$${PORT:-8080})"; \
	$(TPS) up $(URL_FLAG); fi

down: $(CLI) ## stop what `make up` started (the compose stack, or the embedded system: SIGTERM and drain)
	@if $(DOCKER_ENGINE) && [ -n "$$($(COMPOSE) ps -q 2>/dev/null)" ]; then $(COMPOSE) down; fi
	@$(TPS) down

restart: ## down, then up
	$(MAKE) --no-print-directory down
	$(MAKE) --no-print-directory up

run-local: $(CLI) ## distributed mode here: downstream, both workers and the API on the local brokers (QUEUE_BACKEND=nats+rabbitmq); OWN_NATS=1 runs a nats-server of its own that chaos-queue-down may stop; Ctrl-C stops all
	$(TPS) run-local $(if $(OWN_NATS),--own-nats)

logs: $(CLI) ## follow the log of what `make up` started
	$(TPS) logs

logs-system: ## logs of the compose stack's four roles (embedded: make logs)
	@if $(DOCKER_ENGINE); then $(COMPOSE) logs -f api worker-fast worker-slow downstream; \
	else echo "make logs-system: no Docker engine answers; the embedded system's log: make logs" >&2; exit 2; fi

logs-nats: ## NATS server logs (compose stack, or the local server's log file)
	@if $(DOCKER_ENGINE); then $(COMPOSE) logs -f nats; \
	elif [ -r /var/log/nats-server.log ]; then tail -n 100 -F /var/log/nats-server.log; \
	else echo "make logs-nats: no Docker engine and no /var/log/nats-server.log" >&2; exit 2; fi

logs-rabbitmq: ## RabbitMQ server logs (compose stack, or the local server's logs)
	@if $(DOCKER_ENGINE); then $(COMPOSE) logs -f rabbitmq; \
	elif ls /var/log/rabbitmq/*.log >/dev/null 2>&1; then tail -n 100 -F /var/log/rabbitmq/*.log; \
	else echo "make logs-rabbitmq: no Docker engine and no /var/log/rabbitmq logs" >&2; exit 2; fi

dashboard: ## Grafana of the compose stack at http://localhost:3000 (admin/admin)
	@if $(DOCKER_ENGINE); then echo "Grafana: http://localhost:3000 (admin/admin)"; \
	else echo "make dashboard: no Docker engine answers, so no Grafana here; make status and make metrics show the same figures" >&2; exit 2; fi

traces: $(CLI) ## recent traces and their value-stream figures (Jaeger at :16686 when the compose stack runs)
	@if $(DOCKER_ENGINE) && $(COMPOSE) ps --status running jaeger 2>/dev/null | grep -q jaeger; then \
		echo "Jaeger: http://localhost:16686 (services tps-api, tps-worker, tps-downstream)"; \
	else $(TPS) traces $(URL_FLAG); echo "in a browser: $${URL:-http://localhost:$${PORT:-8080}}/traces"; fi

##@ Look

health: $(CLI) ## is it healthy? exit 1 when not, 2 when the andon is red
	$(TPS) health $(URL_FLAG)

status: $(CLI) ## andon stations, lanes, pools, breakers, percentiles and rates as tables
	$(TPS) status $(URL_FLAG)

info: $(CLI) ## version, mode, queue durability and the effective configuration
	$(TPS) info $(URL_FLAG)

metrics: $(CLI) ## the Prometheus exposition; GREP=queue_depth keeps matching lines
	$(TPS) metrics $(if $(GREP),--grep '$(GREP)') $(URL_FLAG)

signal: $(CLI) ## send one signal and follow it to the end (TYPE=execute, PAYLOAD='{"task":"test"}')
	$(TPS) signal --type $(TYPE) $(if $(PAYLOAD),--payload '$(PAYLOAD)') --wait $(URL_FLAG)

dlq: $(CLI) ## list dead-lettered signals
	$(TPS) dlq list $(URL_FLAG)

dlq-replay: $(CLI) ## replay dead letters: ID=<id> for one, every one without ID
	$(TPS) dlq replay $(if $(ID),--id $(ID)) $(URL_FLAG)

##@ Load and experiments

load: $(CLI) ## open-model load: RATE=100 req/s for DURATION=60 s, then a latency report
	$(TPS) load --rate $(RATE) --duration $(DURATION) $(URL_FLAG)

spike: $(CLI) ## a burst of 1000 req/s for 10 s
	$(TPS) spike $(URL_FLAG)

stress: $(CLI) ## 500 req/s for 30 s
	$(TPS) load --rate 500 --duration 30 $(URL_FLAG)

stress-test: $(CLI) ## from 100 req/s, +50 every 30 s, until it breaks; reports the capacity
	$(TPS) stress $(URL_FLAG)

experiment: $(CLI) ## run an experiment: NAME=circuit-breaker|worker-crash|queue-backlog|recovery-time|cascade|scaling|queue-outage
	$(TPS) experiment $(NAME) $(URL_FLAG)

##@ Chaos

chaos-downstream: $(CLI) ## slow service-c: LATENCY=5000 ms, optional ERROR_RATE=0.2
	$(TPS) chaos downstream --latency $(LATENCY) $(if $(ERROR_RATE),--error-rate $(ERROR_RATE)) $(URL_FLAG)

chaos: $(CLI) ## slow one service: TARGET=service-a|service-b|service-c LATENCY=5000, optional ERROR_RATE
	$(TPS) chaos downstream --target $(TARGET) --latency $(LATENCY) $(if $(ERROR_RATE),--error-rate $(ERROR_RATE)) $(URL_FLAG)

chaos-stop: $(CLI) ## clear every injected fault
	$(TPS) chaos stop $(URL_FLAG)

chaos-status: $(CLI) ## which faults are active
	$(TPS) chaos status $(URL_FLAG)

chaos-crash-worker: $(CLI) ## crash a worker holding its signal (POOL=fast|slow); watch the redelivery
	$(TPS) chaos crash-worker $(if $(POOL),--pool $(POOL)) $(URL_FLAG)

chaos-queue-down: $(CLI) ## take the queue backend down: intake answers 503, nothing accepted is lost
	$(TPS) chaos queue-down $(URL_FLAG)

chaos-queue-recover: $(CLI) ## bring the queue backend back
	$(TPS) chaos queue-recover $(URL_FLAG)

chaos-cascade: $(CLI) ## slow service A past its callers' timeouts; the slowness spreads back through B and C until the breakers stop it
	$(TPS) chaos cascade $(URL_FLAG)

##@ Develop

build: ## compile TypeScript to dist/
	npm run build

image: ## build the container image (tag IMAGE): docker build where a Docker engine answers, buildah otherwise (scripts/image.sh)
	scripts/image.sh build $(IMAGE)

test: ## run every test (npm test)
	npm test

lint: ## eslint
	npm run lint

typecheck: ## tsc --noEmit over sources, tests and benches
	npm run typecheck

format: ## prettier --write
	npm run format

bench: ## benchmarks (npm run bench)
	npm run bench

clean: ## stop what `make up` started, then remove dist/ and .run/
	@if [ -f $(CLI) ]; then $(TPS) down; fi
	rm -rf dist .run

# The compiled CLI, rebuilt when any source or build setting is newer. tsc may leave an unchanged file alone,
# hence the touch. node_modules is order-only: installed when missing, never re-installed for a newer lock file.
$(CLI): $(SOURCES) package.json tsconfig.json tsconfig.build.json | node_modules
	npm run build
	@touch $@

node_modules:
	npm ci
