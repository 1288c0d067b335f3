#include "gat/io/safetensors.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cmath>
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

// Little-endian bytes, written out by hand as the spec describes them.
std::string f32le(std::initializer_list<float> values) {
  std::string s;
  for (float f : values)
    s += le(std::bit_cast<uint32_t>(f), 4);
  return s;
}
std::string f64le(std::initializer_list<double> values) {
  std::string s;
  for (double d : values)
    s += le(std::bit_cast<uint64_t>(d), 8);
  return s;
}
std::string u16le(std::initializer_list<uint16_t> values) {
  std::string s;
  for (uint16_t h : values)
    s += le(h, 2);
  return s;
}

// A safetensors file: header length, header (padded with spaces to a multiple of 8), buffer.
std::string st_file(std::string header, const std::string& buffer) {
  header.append((8 - header.size() % 8) % 8, ' ');
  return le(header.size(), 8) + header + buffer;
}

Tensor ramp(const Shape& shape, float start) {
  Tensor t = Tensor::empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data()[i] = start + 0.37f * static_cast<float>(i);
  return t;
}

TEST(Safetensors, RoundTripOfTensorsOfZeroToThreeDimsWithMetadata) {
  TempDir dir{"gat_test_safetensors"};
  const std::string path = dir.file("ckpt.safetensors");
  const std::vector<std::pair<std::string, Tensor>> tensors = {
      {"scalar", Tensor::scalar(-3.5f)},
      {"conv1.lin.weight", ramp({2, 3}, 1.0f)},
      {"conv1.bias", ramp({5}, -2.0f)},
      {"att", ramp({1, 2, 3}, 0.125f)},
      {"empty", Tensor::zeros({0, 4})},
      {"tiny", Tensor::from_vector({1}, {std::numeric_limits<float>::denorm_min()})},
  };
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"epoch", "12"}, {"note", "caf\xc3\xa9 \"q\"\n"}};
  io::save_safetensors(path, tensors, metadata);

  const io::SafetensorsData d = io::load_safetensors(path);
  ASSERT_EQ(d.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(d.tensors[i].first, tensors[i].first);
    EXPECT_EQ(d.tensors[i].second.shape(), tensors[i].second.shape()) << tensors[i].first;
    EXPECT_EQ(bits(d.tensors[i].second), bits(tensors[i].second)) << tensors[i].first;
  }
  EXPECT_EQ(d.metadata, metadata);

  // What a reference reader relies on: the buffer starts 8-byte aligned, the header is a JSON
  // object starting with '{', padded with spaces only.
  const std::string bytes = io::read_file(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes[8], '{');
  EXPECT_EQ(bytes.substr(8, 17), "{\"__metadata__\":{");
  EXPECT_EQ(bytes.size(), 8 + n + (1 + 6 + 5 + 6 + 0 + 1) * 4);
}

// The reference implementation's own serialisation test (safetensors crate, tensor.rs,
// test_serialization): "attn.0", F32, shape [1, 2, 3], values 0..5, no metadata. Its header is
// exactly 64 bytes, so there is no padding.
TEST(Safetensors, MatchesTheReferenceBytesForOneTensor) {
  TempDir dir{"gat_test_safetensors"};
  const std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  ASSERT_EQ(header.size(), 64u);
  const std::string expected =
      std::string("\x40\0\0\0\0\0\0\0", 8) + header + f32le({0, 1, 2, 3, 4, 5});

  // A file written byte by byte from the spec loads.
  io::write_file_atomic(dir.file("by_hand.safetensors"), expected);
  const io::SafetensorsData d = io::load_safetensors(dir.file("by_hand.safetensors"));
  ASSERT_EQ(d.tensors.size(), 1u);
  EXPECT_EQ(d.tensors[0].first, "attn.0");
  EXPECT_EQ(d.tensors[0].second.shape(), Shape({1, 2, 3}));
  EXPECT_EQ(d.tensors[0].second.to_vector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(d.metadata.empty());

  // And save_safetensors writes the same bytes.
  io::save_safetensors(dir.file("saved.safetensors"),
                       {{"attn.0", Tensor::from_vector({1, 2, 3}, {0, 1, 2, 3, 4, 5})}});
  EXPECT_EQ(io::read_file(dir.file("saved.safetensors")), expected);
}

// The reference's test_empty: no tensors, without and with metadata {"framework": "pt"}.
TEST(Safetensors, MatchesTheReferenceBytesWithoutTensors) {
  TempDir dir{"gat_test_safetensors"};
  io::save_safetensors(dir.file("empty.safetensors"), {});
  EXPECT_EQ(io::read_file(dir.file("empty.safetensors")),
            std::string("\x08\0\0\0\0\0\0\0{}      ", 16));

  io::save_safetensors(dir.file("meta.safetensors"), {}, {{"framework", "pt"}});
  EXPECT_EQ(
      io::read_file(dir.file("meta.safetensors")),
      std::string("\x28\0\0\0\0\0\0\0", 8) + R"({"__metadata__":{"framework":"pt"}})" + "     ");
  const io::SafetensorsData d = io::load_safetensors(dir.file("meta.safetensors"));
  EXPECT_TRUE(d.tensors.empty());
  EXPECT_EQ(d.metadata.at("framework"), "pt");
}

TEST(Safetensors, TwoTensorsAndMetadataByHand) {
  TempDir dir{"gat_test_safetensors"};
  // __metadata__ first, tensors in buffer order, compact JSON, 138 bytes + 6 spaces = 144.
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}})";
  ASSERT_EQ(header.size(), 138u);
  const std::string expected = std::string("\x90\0\0\0\0\0\0\0", 8) + header + "      " +
                               f32le({1.5f, -2.0f}) + f32le({0.25f});
  io::write_file_atomic(dir.file("by_hand.safetensors"), expected);
  const io::SafetensorsData d = io::load_safetensors(dir.file("by_hand.safetensors"));
  ASSERT_EQ(d.tensors.size(), 2u);
  EXPECT_EQ(d.tensors[0].first, "a");
  EXPECT_EQ(d.tensors[0].second.to_vector(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(d.tensors[1].first, "b");
  EXPECT_EQ(d.tensors[1].second.dim(), 0);
  EXPECT_EQ(d.tensors[1].second.item(), 0.25f);
  EXPECT_EQ(d.metadata, (std::map<std::string, std::string>{{"format", "pt"}}));

  io::save_safetensors(
      dir.file("saved.safetensors"),
      {{"a", Tensor::from_vector({2}, {1.5f, -2.0f})}, {"b", Tensor::scalar(0.25f)}},
      {{"format", "pt"}});
  EXPECT_EQ(io::read_file(dir.file("saved.safetensors")), expected);
}

TEST(Safetensors, TensorsComeBackInBufferOrderWhateverTheHeaderOrder) {
  TempDir dir{"gat_test_safetensors"};
  const std::string header =
      R"({"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
      R"("first":{"data_offsets":[0,4],"shape":[1],"dtype":"F32","extra":"ignored"},)"
      R"("__metadata__":null})";
  io::write_file_atomic(dir.file("x.safetensors"), st_file(header, f32le({1.0f, 2.0f})));
  const io::SafetensorsData d = io::load_safetensors(dir.file("x.safetensors"));
  ASSERT_EQ(d.tensors.size(), 2u);
  EXPECT_EQ(d.tensors[0].first, "first");
  EXPECT_EQ(d.tensors[0].second.item(), 1.0f);
  EXPECT_EQ(d.tensors[1].first, "second");
  EXPECT_EQ(d.tensors[1].second.item(), 2.0f);
  EXPECT_TRUE(d.metadata.empty());
}

TEST(Safetensors, ConvertsF64F16AndBF16ToFloat32) {
  TempDir dir{"gat_test_safetensors"};
  const std::string header = R"({"d":{"dtype":"F64","shape":[4],"data_offsets":[0,32]},)"
                             R"("h":{"dtype":"F16","shape":[2,4],"data_offsets":[32,48]},)"
                             R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[48,54]}})";
  const std::string buffer =
      f64le({1.5, -2.25, 1e-3, 1e300}) +
      // 1, -2, 1/3 rounded to half, 65504 (largest), 2^-24 (smallest subnormal), 1023·2^-24
      // (largest subnormal), +inf, -0
      u16le({0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0x8000}) +
      u16le({0x3f80, 0xc040, 0x4049});  // bfloat16: 1, -3, 3.140625
  io::write_file_atomic(dir.file("x.safetensors"), st_file(header, buffer));
  const io::SafetensorsData d = io::load_safetensors(dir.file("x.safetensors"));
  ASSERT_EQ(d.tensors.size(), 3u);

  const std::vector<float> f64 = d.tensors[0].second.to_vector();
  EXPECT_EQ(f64[0], 1.5f);
  EXPECT_EQ(f64[1], -2.25f);
  EXPECT_EQ(f64[2], static_cast<float>(1e-3));
  EXPECT_EQ(f64[3], std::numeric_limits<float>::infinity());

  EXPECT_EQ(d.tensors[1].second.shape(), Shape({2, 4}));
  const std::vector<float> f16 = d.tensors[1].second.to_vector();
  EXPECT_EQ(f16[0], 1.0f);
  EXPECT_EQ(f16[1], -2.0f);
  EXPECT_EQ(f16[2], 0.333251953125f);
  EXPECT_EQ(f16[3], 65504.0f);
  EXPECT_EQ(f16[4], std::ldexp(1.0f, -24));
  EXPECT_EQ(f16[5], 1023.0f * std::ldexp(1.0f, -24));
  EXPECT_EQ(f16[6], std::numeric_limits<float>::infinity());
  EXPECT_EQ(std::bit_cast<uint32_t>(f16[7]), 0x80000000u);  // -0.0

  EXPECT_EQ(d.tensors[2].second.to_vector(), (std::vector<float>{1.0f, -3.0f, 3.140625f}));

  // NaN in F16 stays NaN.
  io::write_file_atomic(
      dir.file("nan.safetensors"),
      st_file(R"({"n":{"dtype":"F16","shape":[],"data_offsets":[0,2]}})", u16le({0x7e00})));
  EXPECT_TRUE(
      std::isnan(io::load_safetensors(dir.file("nan.safetensors")).tensors[0].second.item()));
}

TEST(Safetensors, EveryValidationErrorNamesTheFileAndTheProblem) {
  TempDir dir{"gat_test_safetensors"};
  const std::string path = dir.file("bad.safetensors");
  auto expect_load_error = [&](const std::string& bytes, const std::vector<std::string>& parts) {
    io::write_file_atomic(path, bytes);
    const std::string what = error_of<IoError>([&] { io::load_safetensors(path); });
    expect_contains(what, path);
    for (const std::string& p : parts)
      expect_contains(what, p);
  };
  const std::string eight = f32le({1, 2});  // an 8-byte buffer
  auto one = [](const std::string& entry) { return "{\"a\":" + entry + "}"; };

  expect_load_error("12345", {"5 bytes", "shorter than the 8-byte header length"});
  expect_load_error(le(200'000'000, 8) + "{}", {"header length 200000000", "exceeds the limit"});
  expect_load_error(le(100, 8) + "{}      ",
                    {"header length 100", "runs past the end of the file"});
  expect_load_error(st_file("{not json}", ""), {"header is not valid JSON: line 1, column 3"});
  expect_load_error(st_file(R"({"a":1,"a":2})", ""),
                    {"header is not valid JSON: key \"a\" appears twice"});
  expect_load_error(st_file(std::string(600, '['), ""),
                    {"header is not valid JSON: containers nest deeper than 512 levels"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[1e400],"data_offsets":[0,8]})"), eight),
                    {"header is not valid JSON: number overflow"});
  expect_load_error(st_file("[1,2]", ""), {"header is not a JSON object", "array"});
  expect_load_error(st_file(one("3"), ""), {"tensor 'a'", "entry is not an object"});
  expect_load_error(st_file(one(R"({"shape":[2],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "no \"dtype\""});
  expect_load_error(st_file(one(R"({"dtype":"F32","data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "no \"shape\""});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[2]})"), eight),
                    {"tensor 'a'", "no \"data_offsets\""});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"), eight),
                    {"tensor 'a'", "[0, 16]", "past the end of the 8-byte data buffer"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})"), eight),
                    {"tensor 'a'", "[8, 4]", "end before begin"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "hold 8 bytes", "shape [3] of F32 needs 12"});
  expect_load_error(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            f32le({1, 2, 3})),
                    {"tensor 'b'", "overlap tensor 'a'"});
  expect_load_error(st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                            f32le({1, 2, 3, 4, 5})),
                    {"bytes [8, 12)", "belong to no tensor", "hole before tensor 'b'"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})"), eight),
                    {"bytes [0, 4)", "hole before tensor 'a'"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})"), eight),
                    {"bytes [4, 8)", "at the end of the data buffer belong to no tensor"});
  expect_load_error(st_file(R"({"__metadata__":{"epoch":12}})", ""),
                    {"__metadata__ value for key 'epoch' is not a string", "number"});
  expect_load_error(st_file(R"({"__metadata__":["x"]})", ""), {"__metadata__ is not an object"});
  expect_load_error(st_file(one(R"({"dtype":"I64","shape":[1],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "dtype I64 is not supported"});
  expect_load_error(st_file(one(R"({"dtype":"BOOL","shape":[8],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "dtype BOOL is not supported"});
  expect_load_error(st_file(one(R"({"dtype":"F17","shape":[2],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "unknown dtype 'F17'"});
  expect_load_error(st_file(one(R"({"dtype":7,"shape":[2],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "dtype is not a string"});
  expect_load_error(
      st_file(one(R"({"dtype":"F32","shape":[1,1,1,2],"data_offsets":[0,8]})"), eight),
      {"tensor 'a'", "4-d shape [1, 1, 1, 2]", "at most 3 dimensions"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "shape is not an array of non-negative integers"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"), eight),
                    {"tensor 'a'", "shape is not an array of non-negative integers"});
  expect_load_error(
      st_file(one(R"({"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]})"), eight),
      {"tensor 'a'", "shape is not an array of non-negative integers"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8.0]})"), eight),
                    {"tensor 'a'", "data_offsets is not two non-negative integers"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,8]})"), eight),
                    {"tensor 'a'", "data_offsets is not two non-negative integers"});
  expect_load_error(st_file(one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4,8]})"), eight),
                    {"tensor 'a'", "data_offsets is not two non-negative integers"});
  expect_load_error(
      st_file(one(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
              eight),
      {"tensor 'a'", "too large"});
}

TEST(Safetensors, ParseReadsBytesInMemoryAsLoadReadsTheFile) {
  TempDir dir{"gat_test_safetensors"};
  const std::string path = dir.file("m.safetensors");
  io::save_safetensors(path, {{"w", ramp({2, 3}, 1.0f)}, {"b", ramp({3}, -2.0f)}},
                       {{"format", "pt"}});
  const std::string bytes = io::read_file(path);
  const io::SafetensorsData from_file = io::load_safetensors(path);
  const io::SafetensorsData in_memory = io::parse_safetensors(bytes, "in memory");
  ASSERT_EQ(in_memory.tensors.size(), from_file.tensors.size());
  for (size_t i = 0; i < from_file.tensors.size(); ++i) {
    EXPECT_EQ(in_memory.tensors[i].first, from_file.tensors[i].first);
    ASSERT_EQ(in_memory.tensors[i].second.shape(), from_file.tensors[i].second.shape());
    EXPECT_EQ(bits(in_memory.tensors[i].second), bits(from_file.tensors[i].second));
  }
  EXPECT_EQ(in_memory.metadata, from_file.metadata);

  // The same problem, named after the function and the name given.
  const std::string bad = bytes.substr(0, bytes.size() - 4);
  io::write_file_atomic(path, bad);
  EXPECT_EQ(error_of<IoError>([&] { io::load_safetensors(path); }),
            "load_safetensors: '" + path +
                "': tensor 'b': data_offsets [24, 36] run past the end of the 32-byte data buffer");
  EXPECT_EQ(error_of<IoError>([&] { io::parse_safetensors(bad, "in memory"); }),
            "parse_safetensors: 'in memory': tensor 'b': data_offsets [24, 36] run past the end "
            "of the 32-byte data buffer");
}

TEST(Safetensors, SaveRejectsBadNamesBeforeWriting) {
  TempDir dir{"gat_test_safetensors"};
  const std::string path = dir.file("never.safetensors");
  const Tensor t = Tensor::zeros({2});
  using Named = std::vector<std::pair<std::string, Tensor>>;
  expect_contains(error_of<InvalidArgument>([&] {
                    io::save_safetensors(path, Named{{"", t}});
                  }),
                  "empty name");
  expect_contains(error_of<InvalidArgument>([&] {
                    io::save_safetensors(path, Named{{"w", t}, {"w", t}});
                  }),
                  "duplicate tensor name 'w'");
  expect_contains(error_of<InvalidArgument>([&] {
                    io::save_safetensors(path, Named{{"__metadata__", t}});
                  }),
                  "reserved");
  expect_contains(error_of<InvalidArgument>([&] {
                    io::save_safetensors(path, Named{{"u", Tensor()}});
                  }),
                  "undefined");
  expect_contains(error_of<InvalidArgument>([&] {
                    io::save_safetensors(path, Named{{"bad\xff", t}});
                  }),
                  "UTF-8");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Safetensors, HeaderExample) {
  TempDir tmp{"gat_test_safetensors"};
  const std::string dir = tmp.path();
  // --- the example in gat/io/safetensors.h ---
  gat::Tensor w = gat::Tensor::full({2, 3}, 0.5f);
  gat::io::save_safetensors(dir + "/model.safetensors", {{"conv1.lin.weight", w}},
                            {{"format", "pt"}});
  gat::io::SafetensorsData d = gat::io::load_safetensors(dir + "/model.safetensors");
  // ---
  EXPECT_EQ(d.tensors[0].first, "conv1.lin.weight");
  EXPECT_EQ(d.tensors[0].second.shape(), Shape({2, 3}));
  EXPECT_EQ(d.metadata.at("format"), "pt");
}

}  // namespace
}  // namespace gat
