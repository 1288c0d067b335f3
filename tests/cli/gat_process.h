// tests/cli/gat_process.h — runs the built gat binary as a child process and captures what it
// did: exit code, stdout and stderr. No shell is involved (posix_spawn with an argument vector),
// so arguments reach gat exactly as written.
//
// The child runs hermetically: GAT_DATA_DIR is removed from its environment and GAT_CACHE_DIR
// points at a directory the caller owns (a fresh temporary per test), so datasets come only from
// the repository's built-in copies, never from the machine's own data or cache.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace gat::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status; 128 + signal number when a signal ended the child
  std::string out, err;
};

/// Runs `program` with `args` (argv[1...]) under the given environment (NAME=value entries),
/// stdin from /dev/null, and waits for it. A child still running after `timeout` is killed and
/// reported with exit code 128 + SIGKILL, so a hung command fails its test instead of outliving
/// it.
inline ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                                 const std::vector<std::string>& env,
                                 std::chrono::seconds timeout = std::chrono::seconds(240)) {
  auto fail = [](const std::string& what) {
    throw std::runtime_error("run_process: " + what + ": " + std::strerror(errno));
  };
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) fail("pipe2");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // dup2 clears FD_CLOEXEC on the copies, so only 0, 1 and 2 reach the child.
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

  std::vector<std::string> argv_storage = {program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (std::string& a : argv_storage)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = env;
  for (std::string& e : env_storage)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawn_error != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    errno = spawn_error;
    fail("posix_spawn " + program);
  }

  // Both pipes are drained together: a child blocked writing to a full stderr pipe while the
  // parent waits on stdout would never finish.
  ProcessResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_pipes = 2;
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open_pipes > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !killed) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    const int ready = ::poll(fds, 2, killed ? 1000 : static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      char buf[1 << 16];
      const ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;  // poll ignores negative descriptors
        --open_pipes;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid");
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

/// This process's environment without GAT_DATA_DIR and GAT_CACHE_DIR, plus
/// GAT_CACHE_DIR=cache_dir: what a hermetic gat run sees.
inline std::vector<std::string> hermetic_environment(const std::string& cache_dir) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (entry.rfind("GAT_DATA_DIR=", 0) == 0 || entry.rfind("GAT_CACHE_DIR=", 0) == 0) continue;
    env.push_back(entry);
  }
  env.push_back("GAT_CACHE_DIR=" + cache_dir);
  return env;
}

}  // namespace gat::testing
