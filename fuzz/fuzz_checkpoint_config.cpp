// fuzz/fuzz_checkpoint_config.cpp — a checkpoint's gat.config metadata (gat/train/checkpoint.h)
// on arbitrary text: gat::json::parse, typed gat::json::Fields reads of every member, then the
// model registry's make_model (gat/train/model_registry.h), as load_checkpoint does. A model that
// is built must describe itself with the config it was built from: make_model of its
// model_config() gives a model with the same config.
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "fuzz_common.h"
#include "gat/core/error.h"
#include "gat/core/rng.h"
#include "gat/io/json.h"
#include "gat/train/model_registry.h"

namespace {

// A config may legitimately ask for a huge model ({"in_channels": 1000000000} is a valid, if
// unusual, file), and a harness that allocates it would only find that memory runs out. So
// make_model runs only on configs whose integer-valued members (integers and whole floats, which
// Fields::integer accepts too) are at most kMaxField. Model sizes are products of such fields
// (conv2's weight is out_heads·out_channels × heads·hidden_channels), so 16 keeps every model
// under ~10^5 parameters and an input fast. Negative values are not skipped: the constructors
// must reject them. The bound a real file gets is the loader's, not this harness's.
constexpr double kMaxField = 16;

bool small_enough(const gat::Json& config) {
  for (const auto& [key, v] : config.items()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > kMaxField) return false;
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() > kMaxField)
      return false;
    if (v.is_number_float() && v.get<double>() > kMaxField &&
        v.get<double>() == std::trunc(v.get<double>()))
      return false;
  }
  return true;
}

// Every typed read of every member, as the registry's config fields and load_checkpoint do:
// each either returns a value or throws a typed error.
void read_fields(const gat::Json& config) {
  std::optional<gat::json::Fields> f;
  try {
    f.emplace(config, "fuzz.safetensors: gat.config");
  } catch (const gat::Error&) {
    return;  // not an object
  }
  for (const auto& [key, v] : config.items()) {
    FUZZ_CHECK(f->has(key));
    (void)gat::json::describe(v);
    try {
      (void)f->integer(key);
    } catch (const gat::Error&) {
    }
    try {
      (void)f->real(key);
    } catch (const gat::Error&) {
    }
    try {
      (void)f->boolean(key);
    } catch (const gat::Error&) {
    }
    try {
      (void)f->string(key);
    } catch (const gat::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gat::Json config;
  try {
    config = gat::json::parse(gat::fuzz::bytes_of(data, size), "gat.config");
  } catch (const gat::Error&) {
    return 0;  // a typed error (gat::json::JsonError) is the expected answer to malformed JSON
  }
  read_fields(config);
  if (!config.is_object() || !small_enough(config)) return 0;

  gat::Generator gen(0);
  std::unique_ptr<gat::Module> model;
  try {
    model = gat::make_model(config, gen, "fuzz.safetensors: gat.config");
  } catch (const gat::Error&) {
    return 0;  // unknown arch, missing or mistyped field, an option the model refuses
  }
  // Checked outside the try: a typed error from here on is a broken promise, not bad input.
  FUZZ_CHECK(model != nullptr);
  for (const auto& [name, p] : model->named_parameters())
    FUZZ_CHECK(!name.empty() && p.data().defined());
  const gat::Json described = gat::model_config(*model);
  const gat::Json again = gat::json::parse(gat::json::dump(described), "model_config");
  std::unique_ptr<gat::Module> twin = gat::make_model(again, gen, "model_config");
  FUZZ_CHECK(gat::model_config(*twin) == described);
  FUZZ_CHECK(twin->repr() == model->repr());
  return 0;
}
