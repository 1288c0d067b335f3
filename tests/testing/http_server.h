// tests/testing/http_server.h — a tiny HTTP/1.1 file server for the download tests, run inside
// the test process on a std::thread.
//
// It binds only to 127.0.0.1, on an ephemeral port the kernel picks, answers one request per
// connection (Connection: close), serves at most max_requests requests and stops when the
// object is destroyed. Only GET is understood. What it can do, for testing failure paths:
//  * mounts: URL prefix → directory; GET <prefix>/<file> sends the file, or 404 if it is not a
//    regular file there (a path containing ".." is refused with 400);
//  * redirect_prefix → redirect_target: GET <redirect_prefix>/<rest> answers 302 with
//    Location: http://127.0.0.1:<port><redirect_target>/<rest> (as GitHub's raw URLs redirect);
//  * truncate_file: for a file of that name, Content-Length says the full size but only half the
//    body is sent before the connection is closed;
//  * corrupt_file: for a file of that name, one byte in the middle is flipped.
// requests() counts the requests answered; request_paths() lists them.
//
//   gat::testing::HttpServer server({.mounts = {{"/files", dir}}});
//   download_file(server.url("/files/a.bin"), out);   // http://127.0.0.1:PORT/files/a.bin
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace gat::testing {

struct HttpServerOptions {
  std::vector<std::pair<std::string, std::string>> mounts{};  // URL prefix → directory
  std::string redirect_prefix{};
  std::string redirect_target{};
  std::string truncate_file{};  // a file name (last path component)
  std::string corrupt_file{};   // a file name (last path component)
  int max_requests = 100;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options) : options_(std::move(options)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) fail("socket");
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only, never another interface
    addr.sin_port = 0;                              // ephemeral
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind");
    if (::listen(listen_fd_, 16) != 0) fail("listen");
    socklen_t len = sizeof addr;
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      fail("getsockname");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  ~HttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  int port() const { return port_; }
  /// "http://127.0.0.1:<port><path>".
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  /// Requests answered so far.
  int requests() const { return requests_.load(); }
  std::vector<std::string> request_paths() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paths_;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    const std::string msg = std::string("HttpServer: ") + what + ": " + std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error(msg);
  }

  void serve() {
    while (!stop_ && requests_.load() < options_.max_requests) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;  // wakes every 20 ms to notice stop_
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{2, 0};  // a stuck client cannot hold the server (or the test) for long
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      handle(fd);
      // Half-close, then drain what the client still sends, so that close() does not reset
      // the connection before the client has read the response.
      ::shutdown(fd, SHUT_WR);
      char sink[512];
      while (::recv(fd, sink, sizeof sink, 0) > 0) {
      }
      ::close(fd);
    }
  }

  static bool send_all(int fd, const char* data, size_t n) {
    while (n > 0) {
      const ssize_t k = ::send(fd, data, n, MSG_NOSIGNAL);  // no SIGPIPE if the client left
      if (k <= 0) return false;
      data += k;
      n -= size_t(k);
    }
    return true;
  }

  static void respond(int fd, const std::string& status, const std::string& extra_headers,
                      const std::string& body, size_t content_length, size_t body_bytes_sent) {
    std::ostringstream head;
    head << "HTTP/1.1 " << status << "\r\nContent-Length: " << content_length
         << "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
         << extra_headers << "\r\n";
    const std::string h = head.str();
    if (send_all(fd, h.data(), h.size())) send_all(fd, body.data(), body_bytes_sent);
  }

  static void respond(int fd, const std::string& status, const std::string& extra_headers = "",
                      const std::string& body = "") {
    respond(fd, status, extra_headers, body, body.size(), body.size());
  }

  void handle(int fd) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
      const ssize_t k = ::recv(fd, buf, sizeof buf, 0);
      if (k <= 0) return;
      request.append(buf, size_t(k));
    }
    std::istringstream line(request.substr(0, request.find("\r\n")));
    std::string method, path, version;
    line >> method >> path >> version;
    path = path.substr(0, path.find('?'));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      paths_.push_back(path);
    }
    ++requests_;

    if (method != "GET") return respond(fd, "405 Method Not Allowed");
    if (path.find("..") != std::string::npos) return respond(fd, "400 Bad Request");
    if (!options_.redirect_prefix.empty() && path.rfind(options_.redirect_prefix + "/", 0) == 0) {
      const std::string rest = path.substr(options_.redirect_prefix.size());
      return respond(fd, "302 Found", "Location: " + url(options_.redirect_target + rest) + "\r\n");
    }
    for (const auto& [prefix, dir] : options_.mounts) {
      if (path.rfind(prefix + "/", 0) != 0) continue;
      const std::string name = path.substr(prefix.size() + 1);
      const std::string file = dir + "/" + name;
      std::error_code ec;
      if (name.find('/') != std::string::npos || !std::filesystem::is_regular_file(file, ec)) break;
      std::ifstream in(file, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      std::string body = std::move(content).str();
      if (name == options_.corrupt_file && !body.empty()) body[body.size() / 2] ^= 0x01;
      const size_t sent = name == options_.truncate_file ? body.size() / 2 : body.size();
      return respond(fd, "200 OK", "", body, body.size(), sent);
    }
    respond(fd, "404 Not Found", "", "not found\n");
  }

  HttpServerOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> paths_;
  std::thread thread_;
};

}  // namespace gat::testing
