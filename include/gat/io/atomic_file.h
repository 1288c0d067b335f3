// gat/io/atomic_file.h — read a whole file; write one so that readers (and a crash) see either the
// old content or the new, never a half-written file.
//
// write_file_atomic(path, bytes):
//  1. creates "<path>.tmp.<pid>.<n>" (n counts the calls in this process, so concurrent writers
//     in one or several processes never share a temporary) in the same directory as path, so
//     that the final rename stays within one file system;
//  2. writes every byte (retrying short writes and EINTR), fsync()s it and closes it;
//  3. rename()s it over path (atomic on POSIX), then fsync()s the directory so the rename itself
//     survives a power loss. That last fsync is best effort: the new file is already in place,
//     and some file systems refuse fsync on a directory.
// On any failure in steps 1–3 the temporary is removed, the old file (if any) is untouched, and
// gat::IoError names the path, the step and the OS error (strerror(errno)).
// The new file's permissions are 0666 minus the umask, as for a file the process creates anew;
// the old file's permissions are not carried over. A symbolic link at path is replaced by the
// file, not followed.
//
// check_writable(path) answers, before a long computation, whether write_file_atomic(path, ...)
// can create its temporary: it does step 1 (with the same naming) and removes the file again, so
// a missing directory or one the process may not write to is reported up front, not after the
// work whose result would have been lost. It cannot promise the later write (the disk may fill,
// the directory may go), and it does not touch an existing file at path.
//
// Example (compiled in tests/io/test_atomic_file.cpp):
//
//   gat::io::check_writable(dir + "/run.json");  // throws gat::IoError if it could not be written
//   gat::io::write_file_atomic(dir + "/run.json", "{\"epoch\":3}\n");
//   std::string text = gat::io::read_file(dir + "/run.json");  // "{\"epoch\":3}\n"
//   gat::io::read_file(dir + "/missing");  // throws gat::IoError naming the path and ENOENT
#pragma once

#include <string>
#include <string_view>

namespace gat::io {

/// The file's whole content. Throws gat::IoError "read_file: '<path>': <strerror>" when it
/// cannot be opened or read (a directory included).
std::string read_file(const std::string& path);

/// Replaces (or creates) path with exactly `bytes`, atomically; see the overview.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Throws gat::IoError "check_writable: '<path>': <problem>" unless write_file_atomic(path, ...)
/// could create its temporary beside path now: path is empty or ends in '/', is an existing
/// directory, its directory is missing or not a directory, or a file cannot be created there
/// (the OS error, e.g. "Permission denied"). Leaves the directory as it found it.
void check_writable(const std::string& path);

}  // namespace gat::io
