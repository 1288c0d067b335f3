#include "gat/io/atomic_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gat/core/error.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::TempDir;

namespace fs = std::filesystem;

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The message of the IoError fn() throws; a test failure when it throws nothing or another type.
template <typename F>
std::string io_error_of(F&& fn) {
  try {
    fn();
  } catch (const IoError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no gat::IoError thrown";
  return {};
}

void expect_contains(const std::string& what, const std::string& part) {
  EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
}

TEST(AtomicFile, WritesAndReadsBackBinaryContent) {
  TempDir dir{"gat_test_atomic"};
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes += static_cast<char>(i);  // NULs and high bytes included
  const std::string path = dir.file("blob.bin");
  io::write_file_atomic(path, bytes);
  EXPECT_EQ(io::read_file(path), bytes);

  io::write_file_atomic(path, "");
  EXPECT_EQ(io::read_file(path), "");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"blob.bin"});
}

TEST(AtomicFile, OverwriteReplacesContentAndLeavesNoTemporary) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("run.json");
  io::write_file_atomic(path, std::string(100000, 'a'));
  io::write_file_atomic(path, "short");
  EXPECT_EQ(io::read_file(path), "short");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"run.json"});
}

TEST(AtomicFile, RelativePathWithoutDirectory) {
  TempDir dir{"gat_test_atomic"};
  struct CwdGuard {
    fs::path saved = fs::current_path();
    ~CwdGuard() { fs::current_path(saved); }
  } guard;
  fs::current_path(dir.path());
  io::write_file_atomic("relative.txt", "here");
  EXPECT_EQ(io::read_file("relative.txt"), "here");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"relative.txt"});
}

TEST(AtomicFile, MissingDirectoryFailsWithPathAndOsError) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("no_such_dir/out.bin");
  const std::string what = io_error_of([&] { io::write_file_atomic(path, "x"); });
  expect_contains(what, path);
  expect_contains(what, "No such file or directory");
  EXPECT_TRUE(list_dir(dir.path()).empty());
}

TEST(AtomicFile, PathThatIsADirectoryFailsAndRemovesTheTemporary) {
  TempDir dir{"gat_test_atomic"};
  const std::string target = dir.file("sub");
  fs::create_directory(target);
  io::write_file_atomic(target + "/keep.txt", "kept");

  // The temporary is created and written beside `target`; the rename onto a directory fails.
  const std::string what = io_error_of([&] { io::write_file_atomic(target, "new content"); });
  expect_contains(what, target);
  expect_contains(what, "rename");
  expect_contains(what, "Is a directory");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"sub"});  // no temporary left
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(io::read_file(target + "/keep.txt"), "kept");
}

// Lowers RLIMIT_FSIZE (and ignores SIGXFSZ, so an oversized write fails with EFBIG instead of
// killing the process) for one scope. Unlike permission bits, this also stops root.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &lowered) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
  bool ok_ = false;
};

TEST(AtomicFile, FailedWriteKeepsTheOldFileAndRemovesTheTemporary) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("model.safetensors");
  io::write_file_atomic(path, "old checkpoint");
  std::string what;
  {
    FileSizeLimit limit(1024);
    ASSERT_TRUE(limit.ok());
    what = io_error_of([&] { io::write_file_atomic(path, std::string(8192, 'n')); });
  }
  expect_contains(what, path);
  expect_contains(what, "File too large");
  EXPECT_EQ(io::read_file(path), "old checkpoint");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"model.safetensors"});
}

TEST(AtomicFile, ReadFailuresNameThePath) {
  TempDir dir{"gat_test_atomic"};
  const std::string missing = dir.file("missing.bin");
  std::string what = io_error_of([&] { io::read_file(missing); });
  expect_contains(what, missing);
  expect_contains(what, "No such file or directory");

  what = io_error_of([&] { io::read_file(dir.path()); });
  expect_contains(what, dir.path());
  expect_contains(what, "Is a directory");
}

TEST(AtomicFile, ConcurrentWritersLeaveOneCompleteVersion) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("shared.bin");
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string content(1 << 16, static_cast<char>('a' + t));
      for (int i = 0; i < 10; ++i)
        io::write_file_atomic(path, content);
    });
  }
  for (auto& th : threads)
    th.join();
  const std::string final_content = io::read_file(path);
  ASSERT_EQ(final_content.size(), size_t{1} << 16);
  EXPECT_EQ(std::count(final_content.begin(), final_content.end(), final_content[0]),
            static_cast<std::ptrdiff_t>(final_content.size()));
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"shared.bin"});
}

TEST(CheckWritable, AcceptsANewOrExistingFileAndLeavesTheDirectoryUnchanged) {
  TempDir dir{"gat_test_atomic"};
  io::check_writable(dir.file("new.bin"));
  EXPECT_TRUE(list_dir(dir.path()).empty());  // the probe file is gone

  io::write_file_atomic(dir.file("old.bin"), "kept");
  io::check_writable(dir.file("old.bin"));
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"old.bin"});
  EXPECT_EQ(io::read_file(dir.file("old.bin")), "kept");

  // A bare name is a file in the working directory.
  const fs::path saved_cwd = fs::current_path();
  fs::current_path(dir.path());
  io::check_writable("relative.bin");
  fs::current_path(saved_cwd);
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"old.bin"});
}

TEST(CheckWritable, MissingDirectoryNamesThePathAndTheOsError) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("no_such_dir/out.bin");
  const std::string what = io_error_of([&] { io::check_writable(path); });
  expect_contains(what, "check_writable");
  expect_contains(what, path);
  expect_contains(what, "No such file or directory");
  EXPECT_TRUE(list_dir(dir.path()).empty());  // nothing created on the way
}

TEST(CheckWritable, RejectsADirectoryOrAFileAsTheParent) {
  TempDir dir{"gat_test_atomic"};
  std::string what = io_error_of([&] { io::check_writable(dir.path()); });
  expect_contains(what, dir.path());
  expect_contains(what, "is a directory");
  what = io_error_of([&] { io::check_writable(dir.path() + "/"); });
  expect_contains(what, "names a directory");

  io::write_file_atomic(dir.file("plain"), "x");
  const std::string under_file = dir.file("plain/out.bin");
  what = io_error_of([&] { io::check_writable(under_file); });
  expect_contains(what, under_file);
  expect_contains(what, "is not a directory");

  expect_contains(io_error_of([] { io::check_writable(""); }), "empty path");
  EXPECT_EQ(list_dir(dir.path()), std::vector<std::string>{"plain"});
}

// Lowers RLIMIT_NOFILE to nothing for one scope, so that creating any file fails with EMFILE.
// Unlike permission bits (which root ignores), this stops every user.
class NoFileDescriptors {
 public:
  NoFileDescriptors() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = 0;
    ok_ = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~NoFileDescriptors() { setrlimit(RLIMIT_NOFILE, &saved_); }
  NoFileDescriptors(const NoFileDescriptors&) = delete;
  NoFileDescriptors& operator=(const NoFileDescriptors&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

TEST(CheckWritable, AFileThatCannotBeCreatedIsReportedWithTheOsError) {
  TempDir dir{"gat_test_atomic"};
  const std::string path = dir.file("out.bin");
  std::exception_ptr error;
  {
    NoFileDescriptors limit;
    ASSERT_TRUE(limit.ok());
    try {
      io::check_writable(path);
    } catch (...) {
      error = std::current_exception();
    }
  }
  // The error is read only now: UndefinedBehaviorSanitizer's check of e.what()'s dynamic type
  // opens files of its own, and fails without descriptors.
  const std::string what = io_error_of([&] {
    if (error) std::rethrow_exception(error);
  });
  expect_contains(what, path);
  expect_contains(what, "creating a file");
  expect_contains(what, "Too many open files");
  EXPECT_TRUE(list_dir(dir.path()).empty());
}

// A directory the user may read but not write. root may write anywhere, so as root the check runs
// in a child process that has dropped to the unprivileged user 65534 ("nobody"); the child's
// exit status says whether the right error came back.
TEST(CheckWritable, WithoutWritePermissionIsAnErrorNamingThePath) {
  TempDir dir{"gat_test_atomic"};
  const std::string sub = dir.file("read_only");
  fs::create_directory(sub);
  fs::permissions(dir.path(),
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(sub, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                           fs::perms::others_exec);
  const std::string target = sub + "/out.bin";
  auto refused = [&] {
    const std::string what = io_error_of([&] { io::check_writable(target); });
    return what.find(target) != std::string::npos &&
           what.find("Permission denied") != std::string::npos;
  };
  if (::geteuid() != 0) {
    EXPECT_TRUE(refused());
  } else {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      const bool dropped = ::setgid(65534) == 0 && ::setuid(65534) == 0 && ::geteuid() == 65534;
      ::_exit(!dropped ? 3 : refused() ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 3) << "the child could not drop root's privileges";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "check_writable did not refuse " << target;
  }
  fs::permissions(sub, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(sub));  // the probe left nothing behind
}

TEST(AtomicFile, HeaderExample) {
  TempDir tmp{"gat_test_atomic"};
  const std::string dir = tmp.path();
  // --- the example in gat/io/atomic_file.h ---
  gat::io::check_writable(dir + "/run.json");  // throws gat::IoError if it could not be written
  gat::io::write_file_atomic(dir + "/run.json", "{\"epoch\":3}\n");
  std::string text = gat::io::read_file(dir + "/run.json");  // "{\"epoch\":3}\n"
  EXPECT_THROW(gat::io::read_file(dir + "/missing"), gat::IoError);
  // ---
  EXPECT_EQ(text, "{\"epoch\":3}\n");
}

}  // namespace
}  // namespace gat
