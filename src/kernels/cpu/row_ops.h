// src/kernels/cpu/row_ops.h — small row helpers the sparse kernels share (internal to
// gat_kernels): row products, software prefetch of a gathered row, LeakyReLU, and the
// attention-dropout mask.
#pragma once

#include <bit>
#include <cstdint>

#include "gat/core/rng.h"

namespace gat::kernels {

// Gathering one row per edge is latency-bound: the hardware cannot guess the next random row.
// The loops over edges therefore prefetch the row of the edge kPrefetchDistance slots ahead (in
// CSR order, across node boundaries), which keeps enough loads in flight to approach the memory
// bandwidth instead of its latency (measured here: a weighted gather of 128-float rows over 1.1M
// edges went from 97 ms to 13 ms on 2 threads).
constexpr int64_t kPrefetchDistance = 8;

inline void prefetch_row(const float* row, int64_t floats) {
  const char* p = reinterpret_cast<const char*>(row);
  for (int64_t off = 0; off < floats * static_cast<int64_t>(sizeof(float)); off += 64)
    __builtin_prefetch(p + off);
}

// y += a · x over n contiguous floats.
inline void axpy(float* y, float a, const float* x, int64_t n) {
#pragma omp simd
  for (int64_t c = 0; c < n; ++c)
    y[c] += a * x[c];
}

// out[c] = acc[c] + bias[c] over a row of w floats, a null acc or bias meaning zeros: the layer's
// bias added as the attention kernels write their output rows (out may be acc).
inline void write_row_plus_bias(float* out, const float* acc, const float* bias, int64_t w) {
  if (acc && bias) {
#pragma omp simd
    for (int64_t c = 0; c < w; ++c)
      out[c] = acc[c] + bias[c];
  } else if (acc) {
    for (int64_t c = 0; c < w; ++c)
      out[c] = acc[c];
  } else if (bias) {
    for (int64_t c = 0; c < w; ++c)
      out[c] = bias[c];
  } else {
    for (int64_t c = 0; c < w; ++c)
      out[c] = 0.0f;
  }
}

inline float leaky_relu(float z, float slope) {
  return z > 0.0f ? z : z * slope;
}
// The derivative PyTorch uses: the negative side's slope at z = 0.
inline float leaky_relu_grad(float z, float slope) {
  return z > 0.0f ? 1.0f : slope;
}

// e − lse for a score e = LeakyReLU(z) that a backward pass recomputes: it must be the float the
// forward pass stored, rounded. Left to itself GCC fuses z · slope − lse into one FMA
// (-ffp-contract=fast is its default for C++), whose unrounded product differs from the stored
// score by up to half an ulp of e: nothing at ordinary scores, but about 1e22 at |e| ≈ 1e30, where
// exp(e − lse) then gives 0 or overflows instead of α. The empty asm makes e opaque to the
// optimiser, so the product is rounded first; it emits no instruction. For scalar loops only (an
// asm statement keeps a loop from being vectorised).
inline float score_minus(float e, float lse) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __asm__("" : "+x"(e));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(e));
#else
  volatile float rounded = e;
  e = rounded;
#endif
  return e - lse;
}

// ⟨a, b⟩ over n contiguous floats. GCC implements an `omp simd` reduction through a stack
// array summed lane by lane, which costs more than it saves for short rows (measured: the GAT
// backward pass ran 1.5× slower with it at C = 8 and 1.8× faster at C = 64), so short rows take
// the plain loop. Either way the summation order depends only on n, never on the thread.
inline float dot(const float* a, const float* b, int64_t n) {
  float acc = 0.0f;
  if (n < 32) {
    for (int64_t c = 0; c < n; ++c)
      acc += a[c] * b[c];
    return acc;
  }
#pragma omp simd reduction(+ : acc)
  for (int64_t c = 0; c < n; ++c)
    acc += a[c] * b[c];
  return acc;
}

// Rows of a compile-time width. The attention kernels are instantiated for the common channel
// counts (kC = 8, 16, 32, 64) and once for any other (kC = 0, the width read at run time), so that
// a head's row is a fixed number of vector registers the compiler can unroll and keep in
// registers. Fixed<kC>{c}() is the width either way.
template <int kC>
struct Fixed {
  int64_t runtime = kC;
  constexpr int64_t operator()() const { return kC > 0 ? kC : runtime; }
};

// ⟨a, b⟩ over a row of Fixed width: a pairwise (tree) sum of the products, whose order depends
// only on the width, so every caller and every thread gets the same bits.
template <int kC>
inline float dot_fixed(const float* a, const float* b, Fixed<kC> n) {
  if constexpr (kC == 0) {
    return dot(a, b, n());
  } else {
    float t[kC];
    for (int c = 0; c < kC; ++c)
      t[c] = a[c] * b[c];
    for (int half = kC / 2; half > 0; half /= 2)
      for (int c = 0; c < half; ++c)
        t[c] += t[c + half];
    return t[0];
  }
}

// y += a · x over a row of Fixed width.
template <int kC>
inline void axpy_fixed(float* y, float a, const float* x, Fixed<kC> n) {
  if constexpr (kC == 0) {
    axpy(y, a, x, n());
  } else {
#pragma omp simd
    for (int c = 0; c < kC; ++c)
      y[c] += a * x[c];
  }
}

// exp(x) for x ≤ 88 without a library call, so that loops over a row's scores vectorise:
// x = n·ln2 + r with n = round(x / ln2) and |r| ≤ ln2/2 (Cody–Waite split of ln2), e^r by its
// degree-6 Taylor polynomial (relative error < 2e-7 there), times 2^n built in the exponent bits.
// Inputs below −87 return exp(−87) ≈ 1.6e-38 instead of a subnormal or 0: the attention kernels
// only use it on score − max ≤ 0, where such terms are negligible against the max term, 1.
inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  // Round to nearest by the 1.5·2^23 trick (exact for |x / ln2| < 2^22).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

// Eight floats as one value (GCC's vector extension: one AVX register, or two SSE registers),
// for the eight attention heads of the common configuration: the per-edge head loops become a
// handful of branch-free vector operations without relying on the auto-vectoriser (which gives
// up on these short loops and leaves a mispredicted branch per LeakyReLU).
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t V8i __attribute__((vector_size(32)));

inline V8 load8(const float* p) {
  V8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, V8 v) {
  __builtin_memcpy(p, &v, sizeof v);
}
inline V8 splat8(float a) {
  return V8{a, a, a, a, a, a, a, a};
}
inline V8 max8(V8 a, V8 b) {
  return a > b ? a : b;
}
inline V8 leaky_relu8(V8 z, float slope) {
  return z > 0.0f ? z : z * slope;
}
inline V8 leaky_relu_grad8(V8 z, float slope) {
  return z > 0.0f ? splat8(1.0f) : splat8(slope);
}

// exp_approx on every lane of a vector V (V8 or V16; Vi the integer vector of the same shape):
// the same operations in the same order, so each lane equals the scalar result.
template <typename V, typename Vi>
inline V exp_lanes(V x) {
  const V lo = V{} - 87.0f, hi = V{} + 88.0f;
  x = x < lo ? lo : (x > hi ? hi : x);
  const V n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const V r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  V p = V{} + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const Vi bits = (__builtin_convertvector(n, Vi) + 127) << 23;
  return p * (V)bits;
}

inline V8 exp8(V8 x) {
  return exp_lanes<V8, V8i>(x);
}

// Two edges' eight heads as one 16-float value (one AVX-512 register), for the per-edge loops of
// the eight-head forward that do the same work on every edge: two edges per instruction halve
// their instruction count. Built from and split back into V8 halves.
typedef float V16 __attribute__((vector_size(64)));
typedef int32_t V16i __attribute__((vector_size(64)));

inline V16 load16(const float* p) {
  V16 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float* p, V16 v) {
  __builtin_memcpy(p, &v, sizeof v);
}
inline V16 cat16(V8 a, V8 b) {
  return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
inline V8 low8(V16 v) {
  return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
}
inline V8 high8(V16 v) {
  return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
inline V16 splat16(float a) {
  return V16{} + a;
}
inline V16 exp16(V16 x) {
  return exp_lanes<V16, V16i>(x);
}
inline V16 max16(V16 a, V16 b) {
  return a > b ? a : b;
}
inline V16 leaky_relu16(V16 z, float slope) {
  return z > 0.0f ? z : z * slope;
}

// log on eight lanes, for positive normal floats only (the softmax denominators it serves are
// ≥ 1: their largest term is exp(0)). x = m · 2^e with m in [√½, √2), f = m − 1, and
// log x = e·ln 2 + f − f²/2 + f³·P(f), P the classic degree-8 minimax polynomial for single
// precision (Cephes' logf), ln 2 split in two parts as in exp8: within about 1 ulp of libm's
// logf, where the scalar call per node and head was 5 % of the attention forward.
inline V8 log8(V8 x) {
  const V8i bits = (V8i)x;
  V8i e = ((bits >> 23) & 0xff) - 126;
  V8 m = (V8)((bits & 0x007fffff) | 0x3f000000);  // [0.5, 1)
  const V8i small = m < 0.707106781186547524f;    // lanes of all ones where m < √½
  e += small;                                     // e − 1 there
  m = small ? m + m - 1.0f : m - 1.0f;
  const V8 z = m * m;
  V8 p = splat8(7.0376836292e-2f);
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const V8 ef = __builtin_convertvector(e, V8);
  V8 y = p * m * z + ef * -2.12194440e-4f;
  y = y - 0.5f * z;
  return (m + y) + ef * 0.693359375f;
}

// Dropout on attention weights, regenerated from the counter-based stream: the factor
// m_eh / (1 − p) that turns α into α' for edge e and head h (index e·H + h), 1 when p = 0.
// The key is mixed once (mix_key) and the keep decision is an integer comparison
// (keep_threshold), so a draw is a few multiplies and a select: no branch to mispredict on
// random bits, and mask8 draws a whole edge's eight heads in vector registers.
struct EdgeDropout {
  bool active = false;
  float scale = 1.0f;
  uint64_t mixed_key = 0;
  uint64_t threshold = 0;
  int64_t heads = 1;

  EdgeDropout(float dropout, uint64_t dropout_key, int64_t num_heads)
      : active(dropout > 0.0f),
        scale(dropout > 0.0f ? 1.0f / (1.0f - dropout) : 1.0f),
        mixed_key(mix_key(dropout_key)),
        threshold(keep_threshold(dropout > 0.0f ? dropout : 0.0f)),
        heads(num_heads) {}

  float factor(int64_t edge, int64_t h) const {
    if (!active) return 1.0f;
    const uint64_t index =
        static_cast<uint64_t>(edge) * static_cast<uint64_t>(heads) + static_cast<uint64_t>(h);
    const bool keep = (random_bits_mixed(mixed_key, index) >> 40) >= threshold;
    return keep ? scale : 0.0f;
  }
};

// reduce_heads8(u)[h] = the sum of u[h]'s eight lanes: an 8 × 8 transpose-and-add in registers.
// Assembling such a vector lane by lane would go through the stack, and a vector load after eight
// scalar stores stalls on store forwarding.
inline V8 reduce_heads8(const V8 (&u)[8]) {
  V8 t[4];
  for (int p = 0; p < 4; ++p)
    t[p] = __builtin_shufflevector(u[2 * p], u[2 * p + 1], 0, 8, 2, 10, 4, 12, 6, 14) +
           __builtin_shufflevector(u[2 * p], u[2 * p + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  const V8 q0 = __builtin_shufflevector(t[0], t[1], 0, 1, 8, 9, 4, 5, 12, 13) +
                __builtin_shufflevector(t[0], t[1], 2, 3, 10, 11, 6, 7, 14, 15);
  const V8 q1 = __builtin_shufflevector(t[2], t[3], 0, 1, 8, 9, 4, 5, 12, 13) +
                __builtin_shufflevector(t[2], t[3], 2, 3, 10, 11, 6, 7, 14, 15);
  return __builtin_shufflevector(q0, q1, 0, 1, 2, 3, 8, 9, 10, 11) +
         __builtin_shufflevector(q0, q1, 4, 5, 6, 7, 12, 13, 14, 15);
}

// The eight dot products ⟨g[h], x[h]⟩ of two rows of 8 heads × kC channels, as one vector.
template <int kC>
inline V8 head_dots8(const float* g, const float* x) {
  static_assert(kC % 8 == 0, "rows of whole 8-float vectors");
  V8 u[8];
  for (int h = 0; h < 8; ++h) {
    V8 acc = load8(g + h * kC) * load8(x + h * kC);
    for (int c = 8; c < kC; c += 8)
      acc += load8(g + h * kC + c) * load8(x + h * kC + c);
    u[h] = acc;
  }
  return reduce_heads8(u);
}

// Eight 64-bit lanes, for drawing one edge's eight dropout decisions at once (vpmullq with
// AVX-512; GCC lowers it to narrower instructions elsewhere, with the same results).
typedef uint64_t U8 __attribute__((vector_size(64)));

// mix64 (gat/core/rng.h) on eight lanes: the same operations, so the same bits.
inline U8 mix64_8(U8 z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The dropout factors m_eh / (1 − p) of one edge's eight heads (mask.heads == 8): lane h is
// mask.factor(edge, h), bit for bit.
inline V8 mask8(const EdgeDropout& mask, int64_t edge) {
  const U8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
  const U8 index = static_cast<uint64_t>(edge) * 8 + lane;
  const U8 bits = mix64_8(mask.mixed_key + index * 0xd1b54a32d192ed03ULL);
  const U8 keep = (bits >> 40) >= mask.threshold;  // all ones where kept
  const V8i keep32 = __builtin_convertvector(keep, V8i);
  return (V8)(keep32 & (V8i)splat8(mask.scale));
}

}  // namespace gat::kernels
