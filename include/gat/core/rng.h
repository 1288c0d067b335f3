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

/// The per-stream half of random_bits: random_bits(key, i) = random_bits_mixed(mix_key(key), i).
/// Loops that draw many elements of one stream mix the key once.
inline uint64_t mix_key(uint64_t key) {
  return mix64(key ^ 0x9e3779b97f4a7c15ULL);
}
/// The per-element half of random_bits, given mix_key(key).
inline uint64_t random_bits_mixed(uint64_t mixed_key, uint64_t index) {
  return mix64(mixed_key + index * 0xd1b54a32d192ed03ULL);
}

/// 64 random bits for element `index` of the stream `key` (counter-based, stateless).
inline uint64_t random_bits(uint64_t key, uint64_t index) {
  return random_bits_mixed(mix_key(key), index);
}

/// A uniform float in [0, 1) from the top 24 bits of random_bits(key, index).
inline float uniform_at(uint64_t key, uint64_t index) {
  return static_cast<float>(random_bits(key, index) >> 40) * (1.0f / 16777216.0f);
}

/// Dropout's keep decision uniform_at(key, i) >= p in integers, for 0 <= p <= 1:
/// (random_bits(key, i) >> 40) >= keep_threshold(p), exactly. uniform_at is k·2⁻²⁴ for the 24-bit
/// integer k, and p·2²⁴ is exact in float, so k·2⁻²⁴ >= p ⟺ k >= ⌈p·2²⁴⌉. Kernels compare
/// integers, which vectorises and needs no branch.
inline uint64_t keep_threshold(float p) {
  const float t = p * 16777216.0f;
  const auto whole = static_cast<uint64_t>(t);
  return static_cast<float>(whole) < t ? whole + 1 : whole;
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
