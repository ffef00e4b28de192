/* SPDX-License-Identifier: MIT */
/*
 * The libFuzzer entry point every target defines. Built two ways: with
 * clang's -fsanitize=fuzzer (meson -Dfuzz=true), and with replay-main.c,
 * which runs it over a corpus so any compiler can replay the inputs.
 */
#ifndef PCILAB_FUZZ_H
#define PCILAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* PCILAB_FUZZ_H */
