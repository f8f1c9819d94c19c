/* crc32c.h - CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected
 * 0x82F63B78), table-driven, written here (no library): every WAL record,
 * metadata slot and snapshot file carries one (wal.h).
 *
 * crc32c(0, data, len) is the checksum of data; crc32c(crc32c(0, a, n), b,
 * m) is that of a followed by b. Check value: crc32c(0, "123456789", 9) ==
 * 0xE3069283.
 */
#ifndef CRC32C_H
#define CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
