// SHA-256 through libcrypto's EVP digest interface. Each call owns its EVP_MD_CTX (freed by a
// unique_ptr on every path, exceptions included), so the functions are safe to call from any
// thread.
#include "gat/io/sha256.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gat/core/error.h"

namespace gat::io {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One SHA-256 message. `fn` is the public function and `path` the file being hashed (empty for
// bytes), so that a libcrypto failure says what it was doing.
class Hasher {
 public:
  Hasher(const char* fn, std::string path)
      : fn_(fn), path_(std::move(path)), ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) fail("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) fail("EVP_DigestInit_ex");
  }

  void update(const void* data, size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), data, n) != 1) fail("EVP_DigestUpdate");
  }

  std::string hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) fail("EVP_DigestFinal_ex");
    GAT_ASSERT(len == 32, "SHA-256 digest of ", len, " bytes");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s(2 * len, '0');
    for (unsigned int i = 0; i < len; ++i) {
      s[2 * i] = kDigits[md[i] >> 4];
      s[2 * i + 1] = kDigits[md[i] & 15];
    }
    return s;
  }

 private:
  // The oldest queued error is the cause; the rest of the queue is cleared so that it cannot be
  // reported against a later, unrelated call on this thread.
  [[noreturn]] void fail(const char* call) const {
    const unsigned long code = ERR_get_error();
    char reason[256] = "no reason queued";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    throw IoError(detail::concat(fn_, ": libcrypto ", call, " failed",
                                 path_.empty() ? "" : " hashing " + path_, ": ", reason));
  }

  const char* fn_;
  std::string path_;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx_;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Hasher h("sha256_hex", "");
  h.update(bytes.data(), bytes.size());
  return h.hex_digest();
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(detail::concat("sha256_file: cannot open ", path));
  Hasher h("sha256_file", path);
  std::vector<char> chunk(64 * 1024);
  while (in) {
    in.read(chunk.data(), std::streamsize(chunk.size()));
    h.update(chunk.data(), size_t(in.gcount()));
  }
  if (in.bad()) throw IoError(detail::concat("sha256_file: error reading ", path));
  return h.hex_digest();
}

}  // namespace gat::io
