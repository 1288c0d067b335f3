// A check that code stays within a memory bound: run it in a child process whose address space
// is limited (setrlimit RLIMIT_AS) to what the parent uses now plus `extra` bytes. A reader that
// allocates what a crafted file declares (2^40 elements) before checking it against the file's
// length fails there with std::bad_alloc instead of succeeding lazily on an overcommitting system.
//
// Not available under AddressSanitizer, which reserves terabytes of address space for its shadow
// memory; tests that use it are compiled only without it (GAT_HAS_ADDRESS_SPACE_LIMIT).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define GAT_HAS_ADDRESS_SPACE_LIMIT 0
#else
#define GAT_HAS_ADDRESS_SPACE_LIMIT 1

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <new>
#include <string>

#include "gat/core/error.h"

namespace gat::testing {

/// How the child ended.
enum class BoundedOutcome {
  kGatError,     // fn threw a gat::Error: the bad input was refused within the bound
  kReturned,     // fn returned normally
  kOutOfMemory,  // fn threw std::bad_alloc: it asked for more than the bound
  kOther,        // another exception, a signal, or the child could not run
};

/// The virtual memory the process maps now (VmSize of /proc/self/status), in bytes.
inline size_t mapped_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;  // kB
  return 0;
}

/// Runs fn in a forked child limited to mapped_bytes() + extra bytes of address space.
inline BoundedOutcome run_with_address_space_limit(size_t extra, const std::function<void()>& fn) {
  const size_t limit = mapped_bytes() + extra;
  const pid_t pid = fork();
  if (pid < 0) return BoundedOutcome::kOther;
  if (pid == 0) {
    const rlimit r{limit, limit};
    if (setrlimit(RLIMIT_AS, &r) != 0) _exit(3);
    try {
      fn();
      _exit(1);
    } catch (const gat::Error&) {
      _exit(0);
    } catch (const std::bad_alloc&) {
      _exit(2);
    } catch (...) {
      _exit(3);
    }
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return BoundedOutcome::kOther;
  switch (WEXITSTATUS(status)) {
    case 0:
      return BoundedOutcome::kGatError;
    case 1:
      return BoundedOutcome::kReturned;
    case 2:
      return BoundedOutcome::kOutOfMemory;
    default:
      return BoundedOutcome::kOther;
  }
}

}  // namespace gat::testing

#endif
