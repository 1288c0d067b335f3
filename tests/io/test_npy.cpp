#include "gat/io/npy.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"
#include "testing/file_bytes.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::bits;
using testing::error_of;
using testing::expect_contains;
using testing::le;
using testing::TempDir;

namespace fs = std::filesystem;

template <typename T, typename U>
std::string raw_le(std::initializer_list<T> values) {
  std::string s;
  for (T v : values)
    s += le(std::bit_cast<U>(v), sizeof(T));
  return s;
}

// A .npy file the way numpy lays one out: magic, version, header length, the header text padded
// with spaces to `total` bytes (magic to '\n' inclusive) and ended by '\n', then the data.
std::string npy_file(const std::string& dict, const std::string& data, size_t total = 128,
                     int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  header.append(total - prefix - dict.size() - 1, ' ');
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  out += le(header.size(), major == 1 ? 2 : 4);
  return out + header + data;
}

TEST(Npy, RoundTripOfZeroToThreeDims) {
  TempDir dir{"gat_test_npy"};
  for (const Shape& shape : {Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 3, 4}, Shape{0, 3}}) {
    Tensor t = Tensor::empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i)
      t.data()[i] = -1.5f + 0.3f * static_cast<float>(i);
    const std::string path = dir.file("t.npy");
    io::save_npy(path, t);
    const Tensor back = io::load_npy_f32(path);
    EXPECT_EQ(back.shape(), shape) << shape.str();
    EXPECT_EQ(bits(back), bits(t)) << shape.str();
    // The data start at a multiple of 64 bytes, as numpy aligns them.
    const std::string bytes = io::read_file(path);
    const size_t data_start = 10 + (static_cast<unsigned char>(bytes[8]) |
                                    static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    EXPECT_EQ(data_start % 64, 0u) << shape.str();
    EXPECT_EQ(bytes[data_start - 1], '\n');
    EXPECT_EQ(bytes.size(), data_start + t.nbytes());
  }
}

// numpy.save of np.arange(6, dtype='<f4').reshape(2, 3), derived from numpy's format
// (numpy/lib/format.py, _write_array_header): the dict repr with sorted keys, 21 − len("2") = 20
// spaces for growth, then spaces so that magic + version + length + header = 128, then '\n'.
TEST(Npy, MatchesNumpyBytesForATwoByThreeArray) {
  TempDir dir{"gat_test_npy"};
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  ASSERT_EQ(dict.size(), 59u);
  const std::string data = raw_le<float, uint32_t>({0, 1, 2, 3, 4, 5});
  std::string expected =
      std::string("\x93NUMPY\x01\x00", 8) + le(118, 2) + dict + std::string(58, ' ') + "\n" + data;
  ASSERT_EQ(expected.size(), 128u + 24u);
  ASSERT_EQ(npy_file(dict, data), expected);

  // The hand-built file loads...
  io::write_file_atomic(dir.file("by_hand.npy"), expected);
  const Tensor t = io::load_npy_f32(dir.file("by_hand.npy"));
  EXPECT_EQ(t.shape(), Shape({2, 3}));
  EXPECT_EQ(t.to_vector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));

  // ...and save_npy writes exactly these bytes.
  io::save_npy(dir.file("saved.npy"), Tensor::from_vector({2, 3}, {0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(io::read_file(dir.file("saved.npy")), expected);
}

TEST(Npy, MatchesNumpyBytesForVectorsAndScalars) {
  TempDir dir{"gat_test_npy"};
  // np.float32(7).reshape(()) → shape (), no growth padding (numpy adds none for 0-d arrays).
  io::save_npy(dir.file("s.npy"), Tensor::scalar(7.0f));
  EXPECT_EQ(io::read_file(dir.file("s.npy")),
            npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                     raw_le<float, uint32_t>({7.0f})));
  // A 1-d array: the one-element tuple keeps its comma.
  io::save_npy(dir.file("v.npy"), Tensor::from_vector({3}, {1, 2, 3}));
  EXPECT_EQ(io::read_file(dir.file("v.npy")),
            npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                     raw_le<float, uint32_t>({1, 2, 3})));
  // A longer first dimension takes fewer growth spaces; the header stays 128 bytes.
  const Tensor tall = Tensor::zeros({12345, 2});
  io::save_npy(dir.file("tall.npy"), tall);
  EXPECT_EQ(io::read_file(dir.file("tall.npy")),
            npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (12345, 2), }",
                     std::string(tall.nbytes(), '\0')));
}

TEST(Npy, LoadsTheHeaderVariantsOtherWritersProduce) {
  TempDir dir{"gat_test_npy"};
  const std::string path = dir.file("x.npy");
  const std::string data = raw_le<float, uint32_t>({1, 2, 3, 4, 5, 6});
  for (const std::string& dict : {
           // keys in another order, double quotes, no trailing comma
           std::string(R"({"shape": (3, 2), "fortran_order": False, "descr": "<f4"})"),
           // Python 2 longs
           std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }"),
           // no spaces at all
           std::string("{'descr':'<f4','fortran_order':False,'shape':(3,2)}"),
       }) {
    io::write_file_atomic(path, npy_file(dict, data));
    const Tensor t = io::load_npy_f32(path);
    EXPECT_EQ(t.shape(), Shape({3, 2})) << dict;
    EXPECT_EQ(t.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6})) << dict;
  }
  // Old numpy aligned the data to 16 bytes only; the loader requires no alignment (80 here).
  io::write_file_atomic(
      path, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data, 80));
  EXPECT_EQ(io::load_npy_f32(path).numel(), 6);
  // Version 2.0 (4-byte header length).
  io::write_file_atomic(
      path, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data, 128, 2));
  EXPECT_EQ(io::load_npy_f32(path).to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // '<f8' is rounded to float32.
  io::write_file_atomic(path, npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                       raw_le<double, uint64_t>({0.1, -1e300})));
  const Tensor d = io::load_npy_f32(path);
  EXPECT_EQ(d.at(0), 0.1f);
  EXPECT_EQ(d.at(1), -std::numeric_limits<float>::infinity());
}

TEST(Npy, Int64EdgeList) {
  TempDir dir{"gat_test_npy"};
  const std::string path = dir.file("edge_index.npy");
  // edge_index of shape [2, 4]: sources then destinations, one id beyond 2^32.
  const int64_t big = int64_t{1} << 40;
  io::write_file_atomic(path,
                        npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 4), }",
                                 raw_le<int64_t, uint64_t>({0, 1, 2, big, 1, 2, 0, 3})));
  std::vector<int64_t> shape;
  const std::vector<int64_t> edges = io::load_npy_i64(path, &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(edges, (std::vector<int64_t>{0, 1, 2, big, 1, 2, 0, 3}));

  // '<i4' is widened, sign included; any number of dimensions; the shape pointer may be null.
  io::write_file_atomic(
      path, npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 1, 3), }",
                     raw_le<int32_t, uint32_t>({-5, 7, 2147483647})));
  EXPECT_EQ(io::load_npy_i64(path, &shape), (std::vector<int64_t>{-5, 7, 2147483647}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 1, 1, 3}));
  EXPECT_EQ(io::load_npy_i64(path, nullptr).size(), 3u);
}

TEST(Npy, ErrorsNameTheFileAndTheProblem) {
  TempDir dir{"gat_test_npy"};
  const std::string path = dir.file("bad.npy");
  const std::string f4x2 = raw_le<float, uint32_t>({1, 2});
  auto f32_error = [&](const std::string& bytes, const std::vector<std::string>& parts) {
    io::write_file_atomic(path, bytes);
    const std::string what = error_of<IoError>([&] { io::load_npy_f32(path); });
    expect_contains(what, "load_npy_f32");
    expect_contains(what, path);
    for (const std::string& p : parts)
      expect_contains(what, p);
  };
  auto dict = [](const std::string& descr, const std::string& fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  };

  f32_error(npy_file(dict("<f4", "True", "(2,)"), f4x2), {"fortran_order True"});
  std::string bad_magic = npy_file(dict("<f4", "False", "(2,)"), f4x2);
  bad_magic[5] = 'Z';
  f32_error(bad_magic, {"bad magic"});
  f32_error("\x93NUM", {"bad magic"});
  f32_error(npy_file(dict("<f4", "False", "(2,)"), f4x2, 128, 4), {"unsupported", "version 4.0"});
  std::string minor = npy_file(dict("<f4", "False", "(2,)"), f4x2);
  minor[7] = 1;
  f32_error(minor, {"version 1.1"});
  f32_error(npy_file(dict("<i8", "False", "(2,)"), f4x2 + f4x2), {"unsupported dtype '<i8'"});
  f32_error(npy_file(dict(">f4", "False", "(2,)"), f4x2), {"unsupported dtype '>f4'"});
  f32_error(npy_file(dict("<f4", "False", "(2,)"), f4x2.substr(0, 6)),
            {"truncated data", "needs 8 bytes", "has 6"});
  f32_error(npy_file(dict("<f4", "False", "(2,)"), f4x2 + "xx"), {"size mismatch"});
  f32_error(npy_file("[1, 2]", f4x2), {"not the Python dict numpy writes"});
  f32_error(npy_file("{'descr': '<f4', 'shape': (2,), }", f4x2), {"are all required"});
  f32_error(npy_file(dict("<f4", "False", "(2,)") + "'extra': 1}", f4x2), {"not the Python dict"});
  f32_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1, }", f4x2),
            {"unexpected key 'x'"});
  f32_error(npy_file(dict("<f4", "False", "(2)"), f4x2), {"trailing comma"});
  f32_error(npy_file(dict("<f4", "False", "[2]"), f4x2), {"expected '('"});
  f32_error(npy_file(dict("<f4", "0", "(2,)"), f4x2), {"not True or False"});
  f32_error(npy_file(dict("<f4", "False", "(1, 1, 1, 2)"), f4x2), {"4-d array", "at most 3"});
  std::string long_header = npy_file(dict("<f4", "False", "(2,)"), f4x2);
  long_header[8] = '\xff';
  long_header[9] = '\x7f';
  f32_error(long_header, {"header length 32767", "runs past the end"});

  io::write_file_atomic(path, npy_file(dict("<f4", "False", "(2,)"), f4x2));
  const std::string what = error_of<IoError>([&] { io::load_npy_i64(path, nullptr); });
  expect_contains(what, "load_npy_i64");
  expect_contains(what, "unsupported dtype '<f4'");
  expect_contains(what, "'<i8' or '<i4'");
}

TEST(Npy, ParseReadsBytesInMemoryAsLoadReadsTheFile) {
  TempDir dir{"gat_test_npy"};
  const std::string path = dir.file("a.npy");
  Tensor t = Tensor::empty({2, 3});
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data()[i] = 0.5f * static_cast<float>(i) - 1.0f;
  io::save_npy(path, t);
  const Tensor in_memory = io::parse_npy_f32(io::read_file(path), "in memory");
  EXPECT_EQ(in_memory.shape(), t.shape());
  EXPECT_EQ(bits(in_memory), bits(t));

  const std::string edges = npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }",
                                     raw_le<int32_t, uint32_t>({0, 1, 1, -7}));
  std::vector<int64_t> shape;
  EXPECT_EQ(io::parse_npy_i64(edges, "edges", &shape), (std::vector<int64_t>{0, 1, 1, -7}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2}));

  // The same problem, named after the function and the name given.
  io::write_file_atomic(path, edges);
  EXPECT_EQ(error_of<IoError>([&] { io::load_npy_f32(path); }),
            "load_npy_f32: '" + path + "': unsupported dtype '<i4' (expected '<f4' or '<f8')");
  EXPECT_EQ(error_of<IoError>([&] { io::parse_npy_f32(edges, "edges"); }),
            "parse_npy_f32: 'edges': unsupported dtype '<i4' (expected '<f4' or '<f8')");
  EXPECT_EQ(error_of<IoError>([&] { io::parse_npy_i64(edges.substr(0, 130), "edges", nullptr); }),
            "parse_npy_i64: 'edges': truncated data: the shape needs 16 bytes, the file has 2");
}

TEST(Npy, SaveRejectsAnUndefinedTensor) {
  TempDir dir{"gat_test_npy"};
  EXPECT_THROW(io::save_npy(dir.file("u.npy"), Tensor()), InvalidArgument);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Npy, HeaderExample) {
  TempDir tmp{"gat_test_npy"};
  const std::string dir = tmp.path();
  io::write_file_atomic(dir + "/edge_index.npy",
                        npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }",
                                 raw_le<int64_t, uint64_t>({0, 1, 2, 1, 2, 0})));
  // --- the example in gat/io/npy.h ---
  gat::Tensor logits = gat::Tensor::full({4, 7}, 0.25f);
  gat::io::save_npy(dir + "/logits.npy", logits);  // np.load(...) → float32 (4, 7)
  gat::Tensor back = gat::io::load_npy_f32(dir + "/logits.npy");
  std::vector<int64_t> shape;
  std::vector<int64_t> edges = gat::io::load_npy_i64(dir + "/edge_index.npy", &shape);
  // shape == {2, E}; edges[e] is the source of edge e, edges[E + e] its destination
  // ---
  EXPECT_EQ(back.shape(), Shape({4, 7}));
  EXPECT_EQ(back.to_vector(), logits.to_vector());
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(edges[0 + 3], 1);  // destination of edge 0
}

}  // namespace
}  // namespace gat
