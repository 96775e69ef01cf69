/* SPDX-License-Identifier: Apache-2.0 */
/*
 * md5.h - MD5 (RFC 1321), for compatibility only: Data-Juicer's SimHash hashes each shingle
 * with the first 8 bytes of its MD5 digest, and zest takes the same values so its SimHashes
 * and decisions are Data-Juicer's. Not for security. Depends on libc only.
 */
#ifndef ZEST_MD5_H
#define ZEST_MD5_H

#include <stddef.h>
#include <stdint.h>

/* The 16-byte digest of n bytes. Thread-safe. */
void md5_digest(const void *data, size_t n, unsigned char out[16]);
/* The first 8 bytes of the digest read big-endian (simhash-py's unsigned_hash). */
uint64_t md5_hash64(const void *data, size_t n);

#endif
