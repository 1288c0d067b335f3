// Protocol-2 pickle bytes written opcode by opcode, the way numpy / scipy / Python 2 write them,
// for tests of the restricted pickle reader (gat/io/pickle.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gat::testing {

struct Bytes {
  std::string s = "\x80\x02";  // PROTO 2
  Bytes& op(char c) {
    s += c;
    return *this;
  }
  Bytes& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      s += static_cast<char>((v >> (8 * i)) & 0xff);
    return *this;
  }
  Bytes& global(const std::string& module, const std::string& name) {
    s += "c" + module + "\n" + name + "\n";
    return *this;
  }
  Bytes& int4(int32_t v) { return op('J').le(static_cast<uint32_t>(v), 4); }
  Bytes& str(const std::string& v) {
    if (v.size() < 256)
      op('U').le(v.size(), 1);
    else
      op('T').le(v.size(), 4);
    s += v;
    return *this;
  }
  Bytes& dtype(const std::string& code, char order) {
    global("numpy", "dtype").str(code).op('K').le(0, 1).op('K').le(1, 1).op('\x87').op('R');
    op('(').op('K').le(3, 1).str(std::string(1, order)).op('N').op('N').op('N');
    return int4(-1).int4(-1).op('K').le(0, 1).op('t').op('b');
  }
  Bytes& array(const std::string& code, const std::vector<int64_t>& shape, const std::string& raw,
               char order = '<') {
    global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
    op('K').le(0, 1).op('\x85').str("b").op('\x87').op('R');
    op('(').op('K').le(1, 1).op('(');
    for (int64_t d : shape)
      int4(static_cast<int32_t>(d));
    op('t').dtype(code, order).op('\x89').str(raw);
    return op('t').op('b');
  }
  std::string stop() { return s + "."; }
};

}  // namespace gat::testing
