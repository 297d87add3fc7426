#ifndef CSPAWN_H
#define CSPAWN_H

/// glibc's posix_spawn extensions that need _GNU_SOURCE, which Swift's Glibc import does not set.
/// `actions` is a posix_spawn_file_actions_t *. Returns 0 or an errno value.
int cspawn_file_actions_addclosefrom(void *actions, int from);

#endif
