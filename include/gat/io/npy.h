// gat/io/npy.h — NumPy .npy files (numpy.save / numpy.load), format versions 1.0, 2.0 and 3.0
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
//
// A file is: the magic "\x93NUMPY", the version (major, minor bytes), the header length (u16
// little-endian in 1.0, u32 in 2.0 and 3.0), the header — the repr of a Python dict
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ending in '\n' — and then the raw data.
//
// What save_npy writes (decisions), byte-identical to numpy.save(path, a) of a C-contiguous
// float32 array a in current numpy (tests/io/test_npy.cpp checks the bytes of 0-, 1- and 2-d
// arrays):
//  * version 1.0, descr '<f4', fortran_order False, the tensor's shape (0-d: (), 1-d: (5,));
//  * the dict written as numpy writes it: keys sorted, each "'key': repr(value), ", then "}";
//  * then, as current numpy does (so the header can grow in place when appending), 21 −
//    len(str(shape[0])) spaces for a shape of ≥ 1 dimension;
//  * then spaces and a final '\n' so that the data starts at a multiple of 64 bytes. Like numpy,
//    at least one space is always added: a header that would end exactly on a 64-byte boundary
//    gets 64 more.
//  * Written atomically (gat/io/atomic_file.h); an undefined tensor throws gat::InvalidArgument.
//  For every float32 shape of ≤ 3 dimensions that fits in memory this makes a 128-byte header
//  (magic to '\n'), with or without the growth spaces, so the bytes also equal those of older
//  numpy releases that aligned to 64 bytes but did not add growth spaces.
//
// What the loaders accept:
//  * versions 1.0, 2.0 and 3.0; the header's dict in any key order, with single or double quotes,
//    a trailing comma or not, any spaces, Python 2 "L" suffixes on integers (as numpy.load does),
//    and no requirement on the padding or data alignment (older numpy aligned to 16 bytes);
//  * exactly the keys descr, fortran_order and shape; fortran_order False only (C order);
//  * load_npy_f32: descr '<f4' as is, '<f8' rounded to float32 (values beyond float range become
//    ±inf); at most 3 dimensions (gat::Tensor's limit).
//  * load_npy_i64: descr '<i8' as is, '<i4' widened; any number of dimensions.
//  '|' and '=' byte orders are not accepted for these multi-byte types (numpy writes '<' or '>'),
//  nor big-endian data.
//  Each problem throws gat::IoError "<function>: '<path>': <problem>": a bad magic string, an
//  unsupported version, a header past the end of the file or not in the dict form (missing,
//  extra or repeated keys, values of the wrong kind), fortran_order True, an unsupported descr,
//  too many dimensions, and data shorter (truncated) or longer than numel × itemsize.
//
// Example (compiled in tests/io/test_npy.cpp):
//
//   gat::Tensor logits = gat::Tensor::full({4, 7}, 0.25f);
//   gat::io::save_npy(dir + "/logits.npy", logits);       // np.load(...) → float32 (4, 7)
//   gat::Tensor back = gat::io::load_npy_f32(dir + "/logits.npy");
//   std::vector<int64_t> shape;
//   std::vector<int64_t> edges = gat::io::load_npy_i64(dir + "/edge_index.npy", &shape);
//   // shape == {2, E}; edges[e] is the source of edge e, edges[E + e] its destination
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gat/core/tensor.h"

namespace gat::io {

/// Writes t as a float32 C-order .npy file, as numpy.save does; see the overview.
void save_npy(const std::string& path, const Tensor& t);

/// Reads a '<f4' or '<f8' C-order array of at most 3 dimensions as a float32 tensor.
Tensor load_npy_f32(const std::string& path);

/// Reads a '<i8' or '<i4' C-order array of any shape, flattened in C order; stores its shape in
/// *shape when shape is not null.
std::vector<int64_t> load_npy_i64(const std::string& path, std::vector<int64_t>* shape);

/// load_npy_f32 and load_npy_i64 for a file's bytes already in memory: the same checks and
/// results, with `name` (a path, or what the bytes came from) in place of the path in messages,
/// which start "parse_npy_f32: '<name>': " or "parse_npy_i64: '<name>': ".
Tensor parse_npy_f32(std::string_view bytes, const std::string& name);
std::vector<int64_t> parse_npy_i64(std::string_view bytes, const std::string& name,
                                   std::vector<int64_t>* shape);

}  // namespace gat::io
