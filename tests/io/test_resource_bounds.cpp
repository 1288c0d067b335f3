// A crafted file cannot make a reader allocate more than the file holds: each reader checks the
// sizes a file declares against the file's own length before it allocates for them. Each case
// is a file of under 1 KB that declares about 2^40 elements (4 TB or more), and is refused with
// a gat::IoError naming the file; without AddressSanitizer the reader also runs in a child
// process allowed only 256 MiB more address space than the test process has, so that an
// allocation made before the check fails there instead of succeeding lazily.
#include <gtest/gtest.h>

#include <string>

#include "gat/core/error.h"
#include "gat/io/atomic_file.h"
#include "gat/io/npy.h"
#include "gat/io/pickle.h"
#include "gat/io/safetensors.h"
#include "gat/nn/gat.h"
#include "gat/train/checkpoint.h"
#include "testing/address_space.h"
#include "testing/assertions.h"
#include "testing/pickle_bytes.h"
#include "testing/temp_dir.h"

namespace gat {
namespace {

using testing::throws_with;

constexpr size_t kExtraAddressSpace = size_t{256} << 20;

// The reader refuses the file with a message holding `part`, and (where the address space can be
// limited) does so within the bound.
void expect_refused_within_bound(const std::function<void()>& read, const std::string& part) {
  EXPECT_TRUE(throws_with<IoError>(read, part));
#if GAT_HAS_ADDRESS_SPACE_LIMIT
  EXPECT_EQ(testing::run_with_address_space_limit(kExtraAddressSpace, read),
            testing::BoundedOutcome::kGatError);
#endif
}

TEST(ResourceBounds, PickleDeclaringA2To40ElementArray) {
  const std::string bytes =
      testing::Bytes{}.array("f8", {1 << 20, 1 << 20}, std::string(8, '\0')).stop();
  ASSERT_LT(bytes.size(), 1024u);
  expect_refused_within_bound([&] { pickle::parse(bytes, "evil.pkl"); },
                              "ndarray of 1099511627776 <f8 elements needs 8796093022208 bytes, "
                              "found 8");
}

TEST(ResourceBounds, NpyDeclaringA2To40ElementArray) {
  testing::TempDir dir{"gat_test_bounds_npy"};
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(header.size() & 0xff);
  file += static_cast<char>(header.size() >> 8);
  file += header + std::string(16, '\0');
  ASSERT_LT(file.size(), 1024u);
  const std::string path = dir.file("evil.npy");
  io::write_file_atomic(path, file);
  expect_refused_within_bound([&] { io::load_npy_f32(path); }, "evil.npy");
}

TEST(ResourceBounds, SafetensorsDeclaringA2To40ElementTensor) {
  testing::TempDir dir{"gat_test_bounds_st"};
  std::string header = R"({"x":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,16]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i)
    file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  file += header + std::string(16, '\0');
  const std::string path = dir.file("evil.safetensors");
  io::write_file_atomic(path, file);
  expect_refused_within_bound([&] { io::load_safetensors(path); }, "evil.safetensors");
}

// A checkpoint's gat.config that asks for a model far larger than its tensors (in_channels 2^36:
// a 16 TiB first-layer matrix, beyond any allocator) is refused before the model is built.
TEST(ResourceBounds, CheckpointWhoseConfigAsksForMoreThanItsTensors) {
  testing::TempDir dir{"gat_test_bounds_ckpt"};
  Generator gen(0);
  GAT model({.in_channels = 12, .hidden_channels = 4, .out_channels = 3, .heads = 2}, gen);
  const std::string good = dir.file("m.safetensors");
  save_checkpoint(good, model);
  io::SafetensorsData d = io::load_safetensors(good);
  std::string& config = d.metadata.at("gat.config");
  config.replace(config.find("\"in_channels\":12"), 16, "\"in_channels\":68719476736");
  const std::string evil = dir.file("evil.safetensors");
  io::save_safetensors(evil, d.tensors, d.metadata);
  expect_refused_within_bound(
      [&] { load_checkpoint(evil); },
      "evil.safetensors: gat.config describes a model larger than the file's tensors");
  // The bound is the file's own tensors: the genuine file still loads.
  EXPECT_EQ(load_checkpoint(good).model->num_parameters(), model.num_parameters());
}

}  // namespace
}  // namespace gat
