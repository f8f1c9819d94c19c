/* crc32c.h - CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected
 * 0x82F63B78): every WAL record, metadata slot and snapshot file carries
 * one (wal.h).
 *
 * crc32c(0, data, len) is the checksum of data; crc32c(crc32c(0, a, n), b,
 * m) is that of a followed by b. Check value: crc32c(0, "123456789", 9) ==
 * 0xE3069283.
 *
 * Two implementations give the same answers: a table-driven one written
 * here (slicing-by-8, portable, the reference), and on x86-64 processors
 * with SSE4.2 the crc32 instruction (about 8 times as fast: the simulator
 * checksums every record it writes and reads). crc32c() picks one once,
 * at its first call.
 */
#ifndef CRC32C_H
#define CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *data, size_t len);

/* The table-driven path, whatever the processor (the reference). */
uint32_t crc32c_table(uint32_t crc, const void *data, size_t len);

/* Whether this processor has the crc32 instruction; if so, crc32c_hw is
 * that path (else it is crc32c_table). For tests and the bench. */
bool crc32c_hw_available(void);
uint32_t crc32c_hw(uint32_t crc, const void *data, size_t len);

#endif
