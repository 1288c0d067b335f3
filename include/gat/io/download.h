// gat/io/download.h — fetch one URL (http:// or https://) into a file, through libcurl.
//
// The body is written to a temporary file beside `path` (`<path>.part-<pid>-<n>`, same directory,
// so the final rename is atomic); `path` appears only after the whole transfer completed, the
// status was below 400 and the caller's verify() accepted the temporary file. On any failure the
// temporary file is deleted and `path` is left as it was, so a reader never sees a half-written
// or unverified file. Redirects are followed (GitHub's raw URLs answer 302 to
// raw.githubusercontent.com), only to http and https.
//
// Failures throw gat::IoError naming the URL: curl's own message for a transfer error (DNS,
// refused connection, TLS, a body shorter than its Content-Length, a timeout), "HTTP status 404"
// and the like for a status ≥ 400, or the reason a local file could not be written. An exception
// thrown by verify() propagates unchanged (after the temporary file is deleted).
//
// Timeouts: connecting gives up after connect_timeout_s; a transfer slower than
// low_speed_bytes_per_s for low_speed_time_s in a row is aborted. There is no total time limit,
// so a large file on a slow but live connection still completes.
//
// Example (compiled in tests/io/test_download.cpp, against a local server):
//
//   const std::string url = "https://github.com/kimiyoung/planetoid/raw/master/data/ind.cora.x";
//   gat::io::DownloadResult r = gat::io::download_file(
//       url, cache + "/ind.cora.x", {.verify = [&](const std::string& tmp) {
//         if (gat::io::sha256_file(tmp) != expected) throw gat::IoError("ind.cora.x: bad SHA-256");
//       }});
//   r.bytes;            // 22119
//   r.effective_url;    // where the last redirect led
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace gat::io {

struct DownloadOptions {
  /// Give up connecting after this many seconds.
  long connect_timeout_s = 15;
  /// Abort a transfer that stays below low_speed_bytes_per_s for low_speed_time_s seconds.
  long low_speed_bytes_per_s = 1024;
  long low_speed_time_s = 30;
  /// Follow at most this many redirects.
  long max_redirects = 10;
  /// Called with the temporary file once the transfer completed; throw to reject it.
  std::function<void(const std::string& temp_path)> verify{};
};

struct DownloadResult {
  int64_t bytes = 0;            // size of the file written
  long http_status = 0;         // final status, after redirects
  std::string effective_url{};  // final URL, after redirects
};

/// Downloads `url` to `path` (parent directories are created). Throws gat::InvalidArgument for
/// an empty url or path and gat::IoError as described above.
DownloadResult download_file(const std::string& url, const std::string& path,
                             const DownloadOptions& options = {});

}  // namespace gat::io
