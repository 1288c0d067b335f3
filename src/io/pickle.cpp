#include "gat/io/pickle.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <unordered_map>

#include "gat/core/error.h"

namespace gat::pickle {

namespace {

// The opcode bytes of the protocol-2 subset the Planetoid files use (values from the pickle
// format), with their names for messages. Every other byte is refused.
// clang-format off
enum class Op : uint8_t {
  kProto = 0x80, kGlobal = 'c', kMark = '(', kTuple = 't', kTuple1 = 0x85, kTuple2 = 0x86,
  kTuple3 = 0x87, kEmptyTuple = ')', kEmptyDict = '}', kEmptyList = ']', kSetItems = 'u',
  kAppend = 'a', kAppends = 'e', kReduce = 'R', kBuild = 'b', kNewObj = 0x81, kBinPut = 'q',
  kLongBinPut = 'r', kBinGet = 'h', kBinInt = 'J', kBinInt1 = 'K', kBinInt2 = 'M',
  kBinString = 'T', kShortBinString = 'U', kNewTrue = 0x88, kNewFalse = 0x89, kNone = 'N',
  kStop = '.',
};
constexpr std::pair<Op, const char*> kOpNames[] = {
  {Op::kProto, "PROTO"}, {Op::kGlobal, "GLOBAL"}, {Op::kMark, "MARK"}, {Op::kTuple, "TUPLE"},
  {Op::kTuple1, "TUPLE1"}, {Op::kTuple2, "TUPLE2"}, {Op::kTuple3, "TUPLE3"},
  {Op::kEmptyTuple, "EMPTY_TUPLE"}, {Op::kEmptyDict, "EMPTY_DICT"}, {Op::kEmptyList, "EMPTY_LIST"},
  {Op::kSetItems, "SETITEMS"}, {Op::kAppend, "APPEND"}, {Op::kAppends, "APPENDS"},
  {Op::kReduce, "REDUCE"}, {Op::kBuild, "BUILD"}, {Op::kNewObj, "NEWOBJ"}, {Op::kBinPut, "BINPUT"},
  {Op::kLongBinPut, "LONG_BINPUT"}, {Op::kBinGet, "BINGET"}, {Op::kBinInt, "BININT"},
  {Op::kBinInt1, "BININT1"}, {Op::kBinInt2, "BININT2"}, {Op::kBinString, "BINSTRING"},
  {Op::kShortBinString, "SHORT_BINSTRING"}, {Op::kNewTrue, "NEWTRUE"}, {Op::kNewFalse, "NEWFALSE"},
  {Op::kNone, "NONE"}, {Op::kStop, "STOP"},
};
// clang-format on

// The opcode's name, or nullptr for a byte outside the subset.
const char* op_name(uint8_t code) {
  for (auto [op, name] : kOpNames)
    if (static_cast<uint8_t>(op) == code) return name;
  return nullptr;
}

constexpr const char* kCsrClass = "scipy.sparse.csr csr_matrix";
constexpr const char* kReconstruct = "numpy.core.multiarray _reconstruct";
constexpr const char* kNdarray = "numpy ndarray";
constexpr const char* kDtypeClass = "numpy dtype";
constexpr const char* kDefaultDict = "collections defaultdict";
constexpr const char* kList = "__builtin__ list";
constexpr const char* kAllowedGlobals[] = {kCsrClass,   kReconstruct, kNdarray,
                                           kDtypeClass, kDefaultDict, kList};

// A name from the file, safe to print: non-printable bytes escaped, long names cut.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 80)) {
    if (std::isprint(c)) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return s.size() > 80 ? out + "..." : out;
}

ValuePtr make(Kind kind, int64_t integer = 0) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  v->integer = integer;
  return v;
}

// Little-endian unsigned integer of n ≤ 8 bytes, independent of the host's byte order.
uint64_t read_le(const char* p, int n) {
  uint64_t u = 0;
  for (int i = 0; i < n; ++i)
    u |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return u;
}

// Element k of an integer array, exactly (unsigned values past INT64_MAX saturate).
int64_t int_at(const Array& a, int64_t k) {
  const int n = a.dtype.itemsize;
  const uint64_t u = read_le(a.bytes.data() + k * n, n);
  if (a.dtype.kind != 'i')
    return static_cast<int64_t>(std::min<uint64_t>(u, std::numeric_limits<int64_t>::max()));
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  return static_cast<int64_t>((u ^ sign) - sign);  // sign-extend
}

class Reader {
 public:
  Reader(std::string_view in, const std::string& name) : in_(in), name_(name) {}
  ValuePtr run();

 private:
  template <typename... Args>
  [[noreturn]] void fail(const Args&... args) const {
    throw IoError(detail::concat(name_, ": offset ", op_pos_, ": ", args...));
  }
  const char* take(size_t n) {
    if (in_.size() - pos_ < n)
      fail("truncated: ", op_, " needs ", n, " bytes, ", in_.size() - pos_, " left");
    const char* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t take_le(int n) { return read_le(take(n), n); }
  std::string_view take_line();

  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  ValuePtr pop() {
    if (stack_.size() <= floor()) fail("stack underflow: ", op_, " needs another value");
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() const {
    if (stack_.size() <= floor()) fail("stack underflow: ", op_, " needs a value");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_to_mark();
  void nest(Value& container, const ValuePtr& child);
  void push_tuple(Op op);
  void append(Op op);
  void set_items();
  Value& mutable_container(Kind kind);

  void op_global();
  void op_reduce();
  void op_newobj();
  void op_build();
  void build_dtype(Value& obj, const Value& state);
  void build_array(Value& obj, const Value& state);
  void build_csr(Value& obj, const Value& state);

  std::string_view in_;
  const std::string& name_;
  size_t pos_ = 0;       // next byte to read
  size_t op_pos_ = 0;    // offset of the opcode being run, for messages
  const char* op_ = "";  // its name
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;  // stack size at each open MARK
  std::unordered_map<uint32_t, ValuePtr> memo_;
};

std::string_view Reader::take_line() {
  const size_t end = in_.find('\n', pos_);
  if (end == std::string_view::npos) fail("truncated: ", op_, " name has no end of line");
  std::string_view line = in_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return line;
}

std::vector<ValuePtr> Reader::pop_to_mark() {
  if (marks_.empty()) fail(op_, " without a MARK");
  std::vector<ValuePtr> items(std::make_move_iterator(stack_.begin() + marks_.back()),
                              std::make_move_iterator(stack_.end()));
  stack_.resize(marks_.back());
  marks_.pop_back();
  return items;
}

// Every edge of the value tree goes through here: see the safety rules in the header.
void Reader::nest(Value& container, const ValuePtr& child) {
  if (child.get() == &container) fail(op_, ": a ", kind_name(container.kind), " inside itself");
  child->nested = true;
  container.depth = std::max(container.depth, child->depth + 1);
  if (container.depth > kMaxDepth) fail(op_, ": containers nested deeper than ", kMaxDepth);
}

// TUPLE takes the values above the MARK, EMPTY_TUPLE none, TUPLE1..3 the top 1..3.
void Reader::push_tuple(Op op) {
  std::vector<ValuePtr> items;
  if (op == Op::kTuple) {
    items = pop_to_mark();
  } else if (op != Op::kEmptyTuple) {
    items.resize(static_cast<uint8_t>(op) - static_cast<uint8_t>(Op::kTuple1) + 1);
    for (size_t i = items.size(); i-- > 0;)
      items[i] = pop();
  }
  ValuePtr t = make(Kind::kTuple);
  for (const ValuePtr& v : items)
    nest(*t, v);
  t->items = std::move(items);
  stack_.push_back(std::move(t));
}

// APPEND adds the top value, APPENDS the values above the MARK, to the list below them.
void Reader::append(Op op) {
  std::vector<ValuePtr> items;
  if (op == Op::kAppend)
    items.push_back(pop());
  else
    items = pop_to_mark();
  Value& list = mutable_container(Kind::kList);
  for (ValuePtr& v : items) {
    nest(list, v);
    list.items.push_back(std::move(v));
  }
}

// SETITEMS adds the key, value pairs above the MARK to the dict below them.
void Reader::set_items() {
  std::vector<ValuePtr> items = pop_to_mark();
  Value& dict = mutable_container(Kind::kDict);
  if (items.size() % 2) fail("SETITEMS with an odd number of values (", items.size(), ")");
  for (size_t i = 0; i < items.size(); i += 2) {
    const Kind k = items[i]->kind;
    if (k != Kind::kInt && k != Kind::kString) fail("SETITEMS: a ", kind_name(k), " key");
    nest(dict, items[i]);
    nest(dict, items[i + 1]);
    dict.entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
  }
}

Value& Reader::mutable_container(Kind kind) {
  Value& c = *top();
  if (c.kind != kind) fail(op_, " on a ", kind_name(c.kind), ", expected a ", kind_name(kind));
  if (c.nested) fail(op_, " on a ", kind_name(kind), " already placed inside another container");
  return c;
}

ValuePtr Reader::run() {
  for (;;) {
    op_pos_ = pos_;
    if (pos_ >= in_.size()) fail("truncated: the pickle ends without STOP");
    const uint8_t code = static_cast<uint8_t>(in_[pos_++]);
    op_ = op_name(code);
    if (!op_) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%02x", code);
      fail("opcode ", buf, std::isprint(code) ? std::string(" '") + char(code) + "'" : "",
           " is not supported (only the protocol-2 subset the Planetoid files use)");
    }
    switch (const Op op = static_cast<Op>(code)) {
      case Op::kProto:
        if (uint64_t v = take_le(1); v != 2) fail("protocol ", v, " is not supported (only 2)");
        break;
      case Op::kMark:
        marks_.push_back(stack_.size());
        break;
      case Op::kTuple:
      case Op::kEmptyTuple:
      case Op::kTuple1:
      case Op::kTuple2:
      case Op::kTuple3:
        push_tuple(op);
        break;
      case Op::kEmptyDict:
      case Op::kEmptyList:
        stack_.push_back(make(op == Op::kEmptyDict ? Kind::kDict : Kind::kList));
        break;
      case Op::kAppend:
      case Op::kAppends:
        append(op);
        break;
      case Op::kSetItems:
        set_items();
        break;
      case Op::kBinPut:
      case Op::kLongBinPut:
        memo_[static_cast<uint32_t>(take_le(op == Op::kBinPut ? 1 : 4))] = top();
        break;
      case Op::kBinGet: {
        const uint32_t slot = static_cast<uint32_t>(take_le(1));
        auto it = memo_.find(slot);
        if (it == memo_.end()) fail("BINGET: memo slot ", slot, " was never set");
        stack_.push_back(it->second);
        break;
      }
      case Op::kBinInt:  // int32
        stack_.push_back(make(Kind::kInt, static_cast<int32_t>(take_le(4))));
        break;
      case Op::kBinInt1:  // uint8
      case Op::kBinInt2:  // uint16
        stack_.push_back(
            make(Kind::kInt, static_cast<int64_t>(take_le(op == Op::kBinInt1 ? 1 : 2))));
        break;
      case Op::kBinString:         // int32 length
      case Op::kShortBinString: {  // uint8 length
        const int64_t n = op == Op::kShortBinString ? static_cast<int64_t>(take_le(1))
                                                    : static_cast<int32_t>(take_le(4));
        if (n < 0) fail("BINSTRING with negative length ", n);
        ValuePtr s = make(Kind::kString);
        s->string.assign(take(static_cast<size_t>(n)), static_cast<size_t>(n));
        stack_.push_back(std::move(s));
        break;
      }
      case Op::kNewTrue:
      case Op::kNewFalse:
        stack_.push_back(make(Kind::kBool, op == Op::kNewTrue));
        break;
      case Op::kNone:
        stack_.push_back(make(Kind::kNone));
        break;
      case Op::kGlobal:
        op_global();
        break;
      case Op::kReduce:
        op_reduce();
        break;
      case Op::kNewObj:
        op_newobj();
        break;
      case Op::kBuild:
        op_build();
        break;
      case Op::kStop: {
        ValuePtr result = pop();
        if (!marks_.empty()) fail("STOP with ", marks_.size(), " MARK(s) left open");
        if (!stack_.empty()) fail("STOP leaves ", stack_.size(), " extra value(s) on the stack");
        if (pos_ != in_.size()) fail(in_.size() - pos_, " bytes after STOP");
        return result;
      }
    }
  }
}

void Reader::op_global() {
  const std::string_view module = take_line();
  const std::string name = std::string(module) + " " + std::string(take_line());
  for (const char* allowed : kAllowedGlobals)
    if (name == allowed) {
      ValuePtr v = make(Kind::kClass);
      v->string = name;
      stack_.push_back(std::move(v));
      return;
    }
  fail("GLOBAL '", printable(name),
       "' is not allowed (only the scipy/numpy/collections classes the Planetoid files use)");
}

void Reader::op_reduce() {
  ValuePtr args = pop(), fn = pop();
  if (fn->kind != Kind::kClass) fail("REDUCE calls a ", kind_name(fn->kind), ", not a class");
  if (args->kind != Kind::kTuple) fail("REDUCE arguments are a ", kind_name(args->kind));
  const std::vector<ValuePtr>& a = args->items;
  if (fn->string == kReconstruct) {
    if (a.size() != 3 || a[0]->kind != Kind::kClass || a[0]->string != kNdarray)
      fail("_reconstruct expects (numpy.ndarray, shape, typecode)");
    stack_.push_back(make(Kind::kArray));  // shape, dtype and data come with BUILD
  } else if (fn->string == kDtypeClass) {
    if (a.size() != 3 || a[0]->kind != Kind::kString) fail("dtype expects (code, align, copy)");
    const std::string& code = a[0]->string;
    constexpr std::string_view kCodes = "f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1";
    const size_t at = code.size() == 2 ? kCodes.find(code) : std::string_view::npos;
    if (at == std::string_view::npos || at % 3 != 0)
      fail("dtype '", printable(code), "' is not supported (numeric types only)");
    ValuePtr v = make(Kind::kDType);
    v->dtype.kind = code[0];
    v->dtype.itemsize = code[1] - '0';
    stack_.push_back(std::move(v));
  } else if (fn->string == kDefaultDict) {
    if (a.size() != 1 || a[0]->kind != Kind::kClass || a[0]->string != kList)
      fail("only defaultdict(list) is supported");
    ValuePtr v = make(Kind::kDict);
    v->is_defaultdict = true;
    stack_.push_back(std::move(v));
  } else {
    fail("REDUCE of '", fn->string, "' is not allowed");
  }
}

void Reader::op_newobj() {
  ValuePtr args = pop(), cls = pop();
  if (cls->kind != Kind::kClass || cls->string != kCsrClass)
    fail("NEWOBJ of a ", kind_name(cls->kind), " '", cls->string, "' is not allowed");
  if (args->kind != Kind::kTuple || !args->items.empty())
    fail("NEWOBJ of csr_matrix expects no arguments");
  stack_.push_back(make(Kind::kCsr));  // the matrix comes with BUILD
}

void Reader::op_build() {
  ValuePtr state = pop();
  Value& obj = *top();
  if (obj.built) fail("BUILD on a ", kind_name(obj.kind), " that is already built");
  if (obj.kind == Kind::kDType)
    build_dtype(obj, *state);
  else if (obj.kind == Kind::kArray)
    build_array(obj, *state);
  else if (obj.kind == Kind::kCsr)
    build_csr(obj, *state);
  else
    fail("BUILD on a ", kind_name(obj.kind), " is not allowed");
  obj.built = true;
}

// numpy writes (version, byte order, subarray, names, fields, elsize, alignment, flags).
void Reader::build_dtype(Value& obj, const Value& state) {
  const std::vector<ValuePtr>& s = state.items;
  if (state.kind != Kind::kTuple || s.size() < 2 || s[0]->kind != Kind::kInt ||
      s[1]->kind != Kind::kString || s[1]->string.size() != 1)
    fail("dtype state must be (version, byte order, ...)");
  if (s[0]->integer != 3 && s[0]->integer != 4) fail("dtype state version ", s[0]->integer);
  for (size_t i = 2; i < std::min<size_t>(s.size(), 5); ++i)
    if (s[i]->kind != Kind::kNone) fail("structured or sub-array dtypes are not supported");
  const char order = s[1]->string[0];
  const std::string code = obj.dtype.kind + std::to_string(obj.dtype.itemsize);
  if (order == '>') fail("big-endian dtype '>", code, "' is not supported");
  if (order != '<' && !(order == '|' && obj.dtype.itemsize == 1))
    fail("byte order '", printable(s[1]->string), "' is not valid for dtype '", code, "'");
  obj.dtype.byte_order = order;
}

// numpy writes (version 1, shape, dtype, is_fortran, raw bytes).
void Reader::build_array(Value& obj, const Value& state) {
  const std::vector<ValuePtr>& s = state.items;
  if (state.kind != Kind::kTuple || s.size() != 5 || s[0]->kind != Kind::kInt ||
      s[0]->integer != 1 || s[1]->kind != Kind::kTuple)
    fail("ndarray state must be (1, shape, dtype, is_fortran, data)");
  const Value& dtype = *s[2];
  if (dtype.kind != Kind::kDType || !dtype.built)
    fail("ndarray dtype is a ", kind_name(dtype.kind),
         dtype.kind == Kind::kDType ? " never built" : "");
  if (s[3]->kind != Kind::kBool && s[3]->kind != Kind::kInt)
    fail("ndarray is_fortran is not a bool");
  if (s[4]->kind != Kind::kString)
    fail("ndarray data is a ", kind_name(s[4]->kind),
         ", not raw bytes (object arrays unsupported)");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> shape;
  int64_t numel = 1, dims_above_one = 0;
  for (const ValuePtr& d : s[1]->items) {
    if (d->kind != Kind::kInt || d->integer < 0)
      fail("ndarray shape holds a negative or non-int size");
    if (d->integer > 0 && numel > kMax / d->integer / 8) fail("ndarray shape is too large");
    numel *= d->integer;
    dims_above_one += d->integer > 1;
    shape.push_back(d->integer);
  }
  if (s[3]->integer != 0 && dims_above_one > 1) fail("Fortran-order arrays are not supported");
  const int64_t want = numel * dtype.dtype.itemsize;
  const int64_t got = static_cast<int64_t>(s[4]->string.size());
  if (want != got)
    fail("ndarray of ", numel, " ", dtype.dtype.str(), " elements needs ", want, " bytes, found ",
         got);
  obj.array.dtype = dtype.dtype;
  obj.array.shape = std::move(shape);
  obj.array.bytes = s[4]->string;
}

// scipy writes the instance's __dict__: _shape, data, indices, indptr, format, maxprint, ...
void Reader::build_csr(Value& obj, const Value& state) {
  if (state.kind != Kind::kDict) fail("csr_matrix state is a ", kind_name(state.kind));
  auto field = [&](std::string_view name) -> const Value* {
    for (const auto& [key, value] : state.entries)
      if (key->kind == Kind::kString && key->string == name) return value.get();
    return nullptr;
  };
  const Value *shape = field("_shape"), *data = field("data"), *indices = field("indices"),
              *indptr = field("indptr"), *format = field("format");
  if (format && (format->kind != Kind::kString || format->string != "csr"))
    fail("csr_matrix format is not 'csr'");
  if (!shape || shape->kind != Kind::kTuple || shape->items.size() != 2 ||
      shape->items[0]->kind != Kind::kInt || shape->items[1]->kind != Kind::kInt ||
      shape->items[0]->integer < 0 || shape->items[1]->integer < 0)
    fail("csr_matrix _shape is missing or not two sizes");
  const std::pair<const char*, const Value*> parts[] = {
      {"data", data}, {"indices", indices}, {"indptr", indptr}};
  for (auto [what, v] : parts) {
    if (!v || v->kind != Kind::kArray || !v->built || v->array.shape.size() != 1)
      fail("csr_matrix ", what, " is missing or not a 1-D ndarray");
    if (v != data && v->array.dtype.kind != 'i' && v->array.dtype.kind != 'u')
      fail("csr_matrix ", what, " has dtype ", v->array.dtype.str(), ", not an integer type");
  }
  Csr& m = obj.csr;
  m.rows = shape->items[0]->integer;
  m.cols = shape->items[1]->integer;
  const int64_t nnz = indices->array.numel();
  if (indptr->array.numel() != m.rows + 1)
    fail("csr_matrix indptr has ", indptr->array.numel(), " entries for ", m.rows, " rows");
  if (data->array.numel() != nnz)
    fail("csr_matrix has ", nnz, " indices but ", data->array.numel(), " values");
  m.indptr.resize(m.rows + 1);
  for (int64_t r = 0; r <= m.rows; ++r) {
    const int64_t p = int_at(indptr->array, r), prev = r == 0 ? 0 : m.indptr[r - 1];
    if (r == 0 && p != 0) fail("csr_matrix indptr[0] = ", p, ", expected 0");
    if (p < prev)
      fail("csr_matrix indptr[", r, "] = ", p, " < indptr[", r - 1, "] = ", prev,
           " (not monotone)");
    if (p > nnz || (r == m.rows && p != nnz))
      fail("csr_matrix indptr[", r, "] = ", p, " but there are ", nnz, " indices");
    m.indptr[r] = p;
  }
  m.indices.resize(nnz);
  m.data.resize(nnz);
  for (int64_t k = 0; k < nnz; ++k) {
    const int64_t c = int_at(indices->array, k);
    if (c < 0 || c >= m.cols)
      fail("csr_matrix indices[", k, "] = ", c, " out of range for ", m.cols, " columns");
    m.indices[k] = c;
    m.data[k] = data->array.get(k);
  }
}

}  // namespace

std::string DType::str() const {
  return std::string(1, byte_order ? byte_order : '=') + kind + std::to_string(itemsize);
}

int64_t Array::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double Array::get(int64_t k) const {
  const int n = dtype.itemsize;
  const uint64_t u = read_le(bytes.data() + k * n, n);
  switch (dtype.kind) {
    case 'f':
      return n == 4 ? static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(u)))
                    : std::bit_cast<double>(u);
    case 'i':
      return static_cast<double>(int_at(*this, k));
    default:
      return static_cast<double>(u);  // 'u', 'b'
  }
}

const char* kind_name(Kind kind) {
  static constexpr const char* kNames[] = {"None", "bool",  "int",   "str",     "tuple",     "list",
                                           "dict", "class", "dtype", "ndarray", "csr_matrix"};
  return kNames[static_cast<int>(kind)];
}

ValuePtr parse(std::string_view bytes, const std::string& name) {
  return Reader(bytes, name).run();
}

ValuePtr load(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw IoError("pickle::load: no such file: " + path);
  if (!std::filesystem::is_regular_file(status))
    throw IoError("pickle::load: not a regular file: " + path);
  std::ifstream f(path, std::ios::binary);
  if (!f.is_open()) throw IoError("pickle::load: cannot open " + path);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse(bytes, path);
}

}  // namespace gat::pickle
