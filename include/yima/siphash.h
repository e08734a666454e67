/*
 * yima/siphash.h - SipHash-2-4, the keyed 64-bit hash of Aumasson and
 * Bernstein ("SipHash: a fast short-input PRF", 2012).
 *
 * The store keys its code index by SipHash of each code under a secret
 * made when the store is created: cheap enough for every identifier of
 * every event (a SHA-256 costs five times as much for a short code), and
 * nobody who does not know the secret can make many codes share a key to
 * slow look-ups down. Keys are only hints: every hit is checked against the
 * event itself.
 */
#ifndef YIMA_SIPHASH_H
#define YIMA_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define YIMA_SIPHASH_KEY_LEN 16

/* SipHash-2-4 of the n bytes at p under the 16-byte key. */
uint64_t yima_siphash(const uint8_t key[YIMA_SIPHASH_KEY_LEN], const void *p,
                      size_t n);

#endif /* YIMA_SIPHASH_H */
