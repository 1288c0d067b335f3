// download_file through libcurl's easy interface: one blocking transfer per call, body streamed
// to a temporary file, renamed into place only when the transfer and the caller's check passed.
#include "gat/io/download.h"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "gat/core/error.h"

namespace gat::io {
namespace {

namespace fs = std::filesystem;

// curl_global_init is not thread-safe; run it once, before the first handle.
void curl_init_once() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
      throw IoError(
          detail::concat("download_file: curl_global_init failed: ", curl_easy_strerror(rc)));
  });
}

// A unique name beside `path`: same directory, so rename() is atomic; pid and a counter keep
// concurrent downloads (threads or processes) of the same file apart.
std::string temp_name(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return detail::concat(path, ".part-", ::getpid(), "-", counter.fetch_add(1));
}

// Deletes the temporary file unless release()d; closes it first if still open.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    close();
    if (!released_) {
      std::error_code ec;
      fs::remove(path_, ec);  // best effort: nothing sensible to do if this fails
    }
  }
  bool open() {
    file_ = std::fopen(path_.c_str(), "wb");
    return file_ != nullptr;
  }
  // Flushes to disk, so a crash right after the rename cannot leave an empty file in its place.
  bool close() {
    if (!file_) return true;
    bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    return ok;
  }
  void release() { released_ = true; }
  std::FILE* file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool released_ = false;
};

struct CurlHandle {
  CURL* h = curl_easy_init();
  CurlHandle() = default;
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  ~CurlHandle() {
    if (h) curl_easy_cleanup(h);
  }
};

struct WriteState {
  std::FILE* file = nullptr;
  int64_t bytes = 0;
  bool failed = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* st = static_cast<WriteState*>(user);
  const size_t n = size * count;
  if (std::fwrite(data, 1, n, st->file) != n) {
    st->failed = true;
    return 0;  // tells curl to abort with CURLE_WRITE_ERROR
  }
  st->bytes += int64_t(n);
  return n;
}

}  // namespace

DownloadResult download_file(const std::string& url, const std::string& path,
                             const DownloadOptions& options) {
  check_arg(!url.empty(), "download_file", "url is empty");
  check_arg(!path.empty(), "download_file", "path is empty (url ", url, ")");
  curl_init_once();

  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw IoError(detail::concat("download_file: ", url, ": cannot create directory ",
                                   parent.string(), ": ", ec.message()));
  }
  TempFile tmp(temp_name(path));
  if (!tmp.open())
    throw IoError(detail::concat("download_file: ", url, ": cannot write ", tmp.path(), ": ",
                                 std::error_code(errno, std::generic_category()).message()));

  CurlHandle curl;
  if (!curl.h) throw IoError(detail::concat("download_file: ", url, ": curl_easy_init failed"));
  WriteState state{.file = tmp.file()};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.h;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, options.max_redirects);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85 replaced the bitmask options with strings
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(h, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options.low_speed_time_s);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: safe with threads
  curl_easy_setopt(h, CURLOPT_USERAGENT, "gat.cpp");
  const CURLcode rc = curl_easy_perform(h);

  DownloadResult result;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.http_status);
  if (char* eff = nullptr; curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
    result.effective_url = eff;
  const std::string via = result.effective_url.empty() || result.effective_url == url
                              ? std::string()
                              : detail::concat(" (redirected to ", result.effective_url, ")");

  if (rc != CURLE_OK) {
    if (state.failed)
      throw IoError(detail::concat("download_file: ", url, ": cannot write ", tmp.path(), ": ",
                                   std::error_code(errno, std::generic_category()).message()));
    const std::string msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    throw IoError(
        detail::concat("download_file: ", url, via, ": ", msg, " (curl error ", int(rc), ")"));
  }
  if (result.http_status >= 400)
    throw IoError(
        detail::concat("download_file: ", url, via, ": HTTP status ", result.http_status));
  if (!tmp.close())
    throw IoError(detail::concat("download_file: ", url, ": cannot write ", tmp.path(), ": ",
                                 std::error_code(errno, std::generic_category()).message()));
  result.bytes = state.bytes;

  if (options.verify) options.verify(tmp.path());  // a throw deletes tmp on the way out

  std::error_code ec;
  fs::rename(tmp.path(), path, ec);
  if (ec)
    throw IoError(detail::concat("download_file: ", url, ": cannot rename ", tmp.path(), " to ",
                                 path, ": ", ec.message()));
  tmp.release();
  return result;
}

}  // namespace gat::io
