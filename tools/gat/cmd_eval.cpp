// gat eval / gat predict — a saved model (gat.cpp checkpoint or PyG state_dict in safetensors)
// on a Planetoid dataset: accuracies per split, or the logits as a .npy file.
#include <cctype>
#include <cstdio>
#include <string>

#include "args.h"
#include "commands.h"
#include "dataset_args.h"
#include "gat/core/error.h"
#include "gat/core/parallel.h"
#include "gat/io/json.h"
#include "gat/io/npy.h"
#include "gat/train/checkpoint.h"
#include "gat/train/trainer.h"

namespace gat::cli {

namespace {

// Loads the checkpoint and the dataset it should be evaluated on; features are normalised as the
// checkpoint was trained unless the user says otherwise.
struct Loaded {
  Checkpoint ckpt;
  NodeTask task;
};

Loaded load_both(const std::string& model_path, DatasetArgs& data, const ArgParser& args,
                 bool verbose) {
  if (model_path.empty()) throw UsageError("--model FILE is required");
  Loaded l{load_checkpoint(model_path), {}};
  const json::Value& c = l.ckpt.config;
  if (!args.given("dataset") && c.contains("dataset")) data.dataset = c.at("dataset").as_string();
  if (!args.given("raw-features") && c.contains("normalize_features"))
    data.raw_features = !c.at("normalize_features").as_bool();
  for (char& ch : data.dataset)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  l.task = data.load(verbose);
  const int64_t in = c.at("in_channels").as_int(), out = c.at("out_channels").as_int();
  check<InvalidArgument>(in == l.task.features.size(1), "gat", "the model takes ", in,
                         " input features but ", l.task.name, " has ", l.task.features.size(1));
  check<InvalidArgument>(out == l.task.num_classes, "gat", "the model predicts ", out,
                         " classes but ", l.task.name, " has ", l.task.num_classes);
  return l;
}

}  // namespace

int run_eval(int argc, char** argv) {
  DatasetArgs data;
  std::string model_path;
  int threads = num_threads();
  bool json_out = false;
  ArgParser args("eval",
                 "Reports train / validation / test accuracy and loss of a saved model on a "
                 "Planetoid dataset (by default the dataset and feature normalisation recorded "
                 "in the checkpoint).");
  args.add_path("model", &model_path, PathKind::kInputFile,
                "the .safetensors checkpoint (gat.cpp or PyG state_dict)");
  data.add_to(args);
  args.add("threads", &threads, "threads", at_least(1));
  args.add_flag("json", &json_out, "print JSON");
  if (!args.parse(argc, argv)) return 0;
  set_num_threads(threads);
  Loaded l = load_both(model_path, data, args, !json_out);
  Evaluation e = evaluate_node_model(*l.ckpt.model, l.task);
  if (json_out) {
    json::Value out = json::Value::object();
    out["model"] = model_path;
    out["dataset"] = l.task.name;
    for (auto [name, m] :
         {std::pair{"train", e.train}, std::pair{"val", e.val}, std::pair{"test", e.test}}) {
      json::Value s = json::Value::object();
      s["accuracy"] = m.accuracy;
      s["loss"] = m.loss;
      out[name] = s;
    }
    std::printf("%s\n", json::dump(out, 2).c_str());
  } else {
    std::printf("%s on %s:\n", model_path.c_str(), l.task.name.c_str());
    std::printf("  train accuracy %5.1f%%  loss %.4f  (%zu nodes)\n", 100 * e.train.accuracy,
                e.train.loss, l.task.train.size());
    std::printf("  val   accuracy %5.1f%%  loss %.4f  (%zu nodes)\n", 100 * e.val.accuracy,
                e.val.loss, l.task.val.size());
    std::printf("  test  accuracy %5.1f%%  loss %.4f  (%zu nodes)\n", 100 * e.test.accuracy,
                e.test.loss, l.task.test.size());
  }
  return 0;
}

int run_predict(int argc, char** argv) {
  DatasetArgs data;
  std::string model_path, out_path;
  int threads = num_threads();
  ArgParser args("predict",
                 "Writes a saved model's logits for every node of a Planetoid dataset as a "
                 "float32 .npy file of shape [N, classes] (written atomically).");
  args.add_path("model", &model_path, PathKind::kInputFile,
                "the .safetensors checkpoint (gat.cpp or PyG state_dict)");
  args.add_path("out", &out_path, PathKind::kOutputFile, "the .npy file to write");
  data.add_to(args);
  args.add("threads", &threads, "threads", at_least(1));
  if (!args.parse(argc, argv)) return 0;
  if (out_path.empty()) throw UsageError("--out FILE.npy is required");
  set_num_threads(threads);
  Loaded l = load_both(model_path, data, args, true);
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = l.ckpt.model->forward(Variable(l.task.features), l.task.graph).data();
  }
  io::save_npy(out_path, logits);
  std::printf("wrote %s: logits [%lld, %lld] of %s on %s\n", out_path.c_str(),
              static_cast<long long>(logits.size(0)), static_cast<long long>(logits.size(1)),
              model_path.c_str(), l.task.name.c_str());
  return 0;
}

}  // namespace gat::cli
