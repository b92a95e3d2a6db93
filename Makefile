# SPDX-License-Identifier: GPL-2.0
# Entry points of the harness; each target is one script in scripts/.
# README.md explains them.  EXTRA=dir1,dir2 adds test directories to the guest.

SHELL := /bin/bash
S := scripts
B := $(or $(NSVM_BUILD),build)
EXTRA_DIRS = $(subst $(comma), ,$(EXTRA))
comma := ,

.PHONY: all test deps tree export check checkpatch callgraph bisect bench stress kcsan harness-selftest clean help

help:
	@sed -n 's/^## //p' $(firstword $(MAKEFILE_LIST))

## make all     the main job: deps, build, boot, tests, then the benchmark
all:
	@$(S)/main.sh $(EXTRA_DIRS)

## make test    the test command (what .ci/run runs)
test:
	@$(S)/test.sh $(EXTRA_DIRS)

## make bench   the A/B benchmark only (bench kernel, one boot)
bench:
	@$(S)/bench.sh

## make stress  the reliability campaign: test kernel, then KCSAN kernel (~1.5 h; short form in make test)
stress:
	@$(S)/stress.sh

## make kcsan   the KCSAN flavor alone (the last part of make stress)
kcsan:
	@$(S)/kcsan.sh

## make deps    apt-install what the harness needs
deps:
	@$(S)/deps.sh

## make tree    build/linux: git tree = base + one commit per patch
tree:
	@$(S)/deps.sh && $(S)/apply.sh

## make export  commits of build/linux since base -> patches/ + series
export:
	@$(S)/export.sh

## make check   static checks only (checkpatch, kernel-doc, W=1/sparse, callgraph, sm60 kernels)
check:
	@$(S)/apply.sh && $(S)/config.sh test && $(S)/build.sh test && \
	{ $(S)/check.sh; rc=$$?; cat $(B)/checks.tap; exit $$rc; }

## make callgraph  allocator/sleep reachability from the notifier callbacks (CALLGRAPH=base: on 6.12)
callgraph:
	@$(S)/apply.sh && $(S)/config.sh test && \
	{ $(S)/callgraph.sh $(CALLGRAPH); rc=$$?; cat $(B)/callgraph$(if $(filter base,$(CALLGRAPH)),-base).tap; exit $$rc; }

## make checkpatch  checkpatch --strict on every patch
checkpatch:
	@$(S)/apply.sh && $(S)/checkpatch.sh

## make bisect  build every prefix of the series (BISECT=quick: touched dirs only; BISECT_FROM=N resumes at N)
bisect:
	@$(S)/bisect.sh $(BISECT)

## make harness-selftest  the result parser and checkpatch on saved runs
harness-selftest:
	@$(S)/selftest-harness.sh; rc=$$?; cat $(B)/harness.tap; exit $$rc

## make clean   rm -rf build/ (or $NSVM_BUILD)
clean:
	rm -rf $(B)
