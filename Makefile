# The two commands of the README, plus helpers. Both main targets install what they need.
SHELL := /bin/bash
.PHONY: demo test install temporal-cli stack typecheck unit integration faults faults-smoke fault-validation bench bench-smoke bench-memory

# `npm install` rather than `npm ci`: with this machine's npm settings the lockfile omits the
# optional per-platform packages of @swc/core, which `npm ci` then reports as out of sync. The
# committed lockfile still pins every version.
node_modules/.package-lock.json: package.json package-lock.json
	npm install --no-audit --no-fund

install: node_modules/.package-lock.json

# Builds the pinned Temporal CLI unless an existing server is configured.
temporal-cli:
	@if [ -z "$${TEMPORAL_ADDRESS:-}" ]; then bash scripts/install-temporal.sh; fi

demo: install temporal-cli
	npm run demo

stack: install temporal-cli
	npm run stack

test: install temporal-cli
	npm run typecheck
	npx vitest run

unit: install
	npx vitest run --project unit

integration: install temporal-cli
	npx vitest run --project integration

# Benchmarks on their own stack (free ports, database edomex_bench_run_*): rewrites BENCHMARKS.md.
# Options by environment, e.g. BENCH_SIZES=10000,100000 BENCH_STATEWIDE=0 make bench (see bench/run.ts).
bench: install
	bash scripts/install-temporal.sh
	BENCH_COMMAND="make bench" npx tsx bench/run.ts

# A few minutes: 2,000 rows, a 40-institution quincena of 2,000 people and 20 SHM applicants with
# 3 reviewers; report in var/bench/.
bench-smoke: install
	bash scripts/install-temporal.sh
	BENCH_COMMAND="make bench-smoke" BENCH_SIZES=$${BENCH_SIZES:-2000} BENCH_STATEWIDE_PEOPLE=$${BENCH_STATEWIDE_PEOPLE:-2000} \
	BENCH_INSTITUTIONS=$${BENCH_INSTITUTIONS:-40} BENCH_LARGEST=$${BENCH_LARGEST:-600} BENCH_LOAD_REQUESTS=$${BENCH_LOAD_REQUESTS:-300} \
	BENCH_SHM_APPLICANTS=$${BENCH_SHM_APPLICANTS:-20} BENCH_SHM_REVIEWERS=$${BENCH_SHM_REVIEWERS:-3} BENCH_SHM_LOAD_REQUESTS=$${BENCH_SHM_LOAD_REQUESTS:-200} \
	BENCH_SHM_TIMEOUT_MINUTES=$${BENCH_SHM_TIMEOUT_MINUTES:-3} \
	BENCH_OUT=$${BENCH_OUT:-var/bench/BENCHMARKS.smoke.md} npx tsx bench/run.ts

# Issue 4's memory figure: 100k and 400k rows with the worker's V8 heap capped at 256 MB (finishing
# under the cap shows the memory is bounded by a constant); report in var/bench/MEMORY.md.
bench-memory: install
	bash scripts/install-temporal.sh
	BENCH_COMMAND="make bench-memory" BENCH_SIZES=$${BENCH_SIZES:-100000,400000} BENCH_STATEWIDE=0 BENCH_SHM_APPLICANTS=0 BENCH_LOAD_REQUESTS=$${BENCH_LOAD_REQUESTS:-200} \
	BENCH_WORKER_MAX_HEAP_MB=$${BENCH_WORKER_MAX_HEAP_MB:-256} BENCH_OUT=$${BENCH_OUT:-var/bench/MEMORY.md} npx tsx bench/run.ts

# Fault injection (issue 8): a private stack (own PostgreSQL cluster, Temporal, simulators,
# workers, API) on free ports; kills and restarts processes during a quincena and SHM reviews,
# then checks the invariants and writes RELIABILITY.md. Sizes: FAULT_* variables (faults/README.md).
faults: install temporal-cli
	FAULT_RUN_NAME=$${FAULT_RUN_NAME:-faults} npx tsx faults/run.ts

# CI size: about 3-5 minutes on 2 cores.
faults-smoke: install temporal-cli
	FAULT_RUN_NAME=faults-smoke FAULT_INSTITUTIONS=$${FAULT_INSTITUTIONS:-3} FAULT_ROWS=$${FAULT_ROWS:-300} \
	FAULT_REGISTRATIONS=$${FAULT_REGISTRATIONS:-6} FAULT_KILLS=$${FAULT_KILLS:-5} FAULT_WORKERS=$${FAULT_WORKERS:-2} \
	FAULT_WINDOW_S=$${FAULT_WINDOW_S:-90} FAULT_RECOVERY_S=$${FAULT_RECOVERY_S:-240} npx tsx faults/run.ts

# Issue 4: SIGKILL the worker while it stages a 100,000-row file; the restart finishes it exactly once.
fault-validation: install temporal-cli
	npx tsx faults/kill-during-validation.ts
