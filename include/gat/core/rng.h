// gat/core/rng.h — seeded, reproducible randomness.
//
// Two kinds of randomness, both fully determined by a seed:
//  * Generator: a sequential stream (SplitMix64) for parameter initialisation and for handing out
//    keys; the same seed gives the same sequence on every machine.
//  * random_bits(key, index): a counter-based, stateless stream. Kernels draw dropout decisions
//    from it by element or edge index, so any thread may draw any element in any order and get
//    the same bits, and backward regenerates forward's masks instead of storing them.
//
// Example (compiled in tests/core/test_rng.cpp):
//
//   gat::Generator gen(42);
//   float u = gen.uniform();                 // in [0, 1)
//   uint64_t key = gen.next_key();           // one key per dropout call
//   bool keep = gat::uniform_at(key, 17) >= 0.6f;
#pragma once

#include <cstdint>

namespace gat {

/// SplitMix64's finaliser: a bijective 64-bit mixer with full avalanche.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// 64 random bits for element `index` of the stream `key` (counter-based, stateless).
inline uint64_t random_bits(uint64_t key, uint64_t index) {
  return mix64(mix64(key ^ 0x9e3779b97f4a7c15ULL) + index * 0xd1b54a32d192ed03ULL);
}

/// A uniform float in [0, 1) from the top 24 bits of random_bits(key, index).
inline float uniform_at(uint64_t key, uint64_t index) {
  return static_cast<float>(random_bits(key, index) >> 40) * (1.0f / 16777216.0f);
}

/// A sequential random stream (SplitMix64).
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : state_(seed) {}

  uint64_t next_u64() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  /// Uniform in [0, 1).
  float uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }
  /// Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box–Muller).
  float normal();
  /// Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  /// A fresh key for the counter-based stream (random_bits / uniform_at).
  uint64_t next_key() { return next_u64(); }

 private:
  uint64_t state_;
};

}  // namespace gat
