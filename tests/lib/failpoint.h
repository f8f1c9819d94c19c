/* failpoint.h - makes one call to an allocator or a pthread set-up function
 * fail, to walk every error path of a set-up.
 *
 * The test runner is linked with -Wl,--wrap for malloc, calloc, realloc,
 * free, pthread_mutex_init, pthread_cond_init and pthread_create (Makefile:
 * LINK_WRAP), so every call the project's own objects make goes
 * through failpoint.c. While armed, it counts those calls, fails the k-th
 * (NULL, or EAGAIN for the pthread ones), and counts the blocks allocated
 * and not yet freed, so a test can assert that an error path released all
 * it took. Calls from inside libc are not seen.
 */
#ifndef FAILPOINT_H
#define FAILPOINT_H

/* From now on the k-th call (k >= 1) fails; k = 0 counts, fails none. */
void failpoint_arm(long k);

/* Stops counting. Returns how many calls were counted since arming. */
long failpoint_disarm(void);

/* Blocks allocated since arming and not freed since: 0 after a clean
 * return. */
long failpoint_live(void);

#endif
