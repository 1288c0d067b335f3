#include "gat/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gat/core/error.h"

namespace gat::io {

namespace {

[[noreturn]] void fail(const char* where, const std::string& path, const char* step, int err) {
  throw IoError(detail::concat(where, ": '", path, "': ", step, ": ", std::strerror(err)));
}

// Closes the descriptor on scope exit unless release()d; errors on this path are already being
// reported, so close()'s own result is not.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::atomic<unsigned long> g_temp_counter{0};

// "<path>.tmp.<pid>.<n>": unique among the writers of this process and of every other one.
std::string temp_name(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(g_temp_counter.fetch_add(1));
}

// Removes the temporary on scope exit unless disarm()ed.
class TempGuard {
 public:
  explicit TempGuard(std::string path) : path_(std::move(path)) {}
  ~TempGuard() {
    if (armed_) ::unlink(path_.c_str());
  }
  TempGuard(const TempGuard&) = delete;
  TempGuard& operator=(const TempGuard&) = delete;
  void disarm() { armed_ = false; }

 private:
  std::string path_;
  bool armed_ = true;
};

}  // namespace

std::string read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("read_file", path, "open", errno);
  std::string out;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
    out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read_file", path, "read", errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  constexpr const char* kWhere = "write_file_atomic";
  if (path.empty()) throw IoError("write_file_atomic: empty path");
  const std::string temp = temp_name(path);

  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) fail(kWhere, path, "creating the temporary file", errno);
  TempGuard guard(temp);

  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(kWhere, path, "writing", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail(kWhere, path, "fsync", errno);
  if (::close(fd.release()) != 0) fail(kWhere, path, "close", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) fail(kWhere, path, "rename", errno);
  guard.disarm();

  // Persist the directory entry (best effort; see the header).
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

void check_writable(const std::string& path) {
  constexpr const char* kWhere = "check_writable";
  if (path.empty()) throw IoError("check_writable: empty path");
  auto problem = [&](const std::string& what) {
    throw IoError(detail::concat(kWhere, ": '", path, "': ", what));
  };
  if (path.back() == '/') problem("names a directory, not a file");
  struct stat st {};
  // lstat: a symbolic link at path is replaced by the write, so where it points does not matter.
  if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) problem("is a directory");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  if (::stat(dir.c_str(), &st) != 0)
    problem(detail::concat("directory '", dir, "': ", std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) problem(detail::concat("'", dir, "' is not a directory"));

  // The same creation as write_file_atomic's first step, so the same failures show.
  const std::string temp = temp_name(path);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) fail(kWhere, path, "creating a file in its directory", errno);
  ::unlink(temp.c_str());
}

}  // namespace gat::io
