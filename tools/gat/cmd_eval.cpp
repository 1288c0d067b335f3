// gat eval / gat predict — a saved model (gat.cpp checkpoint or PyG state_dict in safetensors)
// on a Planetoid dataset: accuracies per split, or the logits as a .npy file.
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "dataset_args.h"
#include "gat/core/error.h"
#include "gat/io/npy.h"
#include "gat/train/checkpoint.h"
#include "gat/train/trainer.h"
#include "output.h"

namespace gat::cli {

namespace {

// The options both commands share: the checkpoint and the dataset to run it on.
class SavedModelCommand : public Command {
 public:
  void declare(Options& o) override {
    o.add_path("model", &model_path_, PathKind::kInputFile,
               "the .safetensors checkpoint (gat.cpp or PyG state_dict)");
    data_.add_to(o);
  }
  void validate(const Options&) override {
    if (model_path_.empty()) throw UsageError("--model FILE is required");
  }

 protected:
  // The checkpoint's model and the dataset: by default the dataset and feature normalisation
  // the checkpoint records, unless the user says otherwise.
  NodeTask load(const Options& o, bool verbose) {
    ckpt_ = load_checkpoint(model_path_);
    json::Fields c(ckpt_.config, model_path_ + ": gat.config");
    if (!o.given("dataset") && c.has("dataset")) data_.dataset = c.string("dataset");
    if (!o.given("raw-features") && c.has("normalize_features"))
      data_.raw_features = !c.boolean("normalize_features");
    data_.dataset = lower(data_.dataset);
    NodeTask task = data_.load(verbose);
    const int64_t in = c.integer("in_channels"), out = c.integer("out_channels");
    gat::check<InvalidArgument>(in == task.features.size(1), "gat", "the model takes ", in,
                                " input features but ", task.name, " has ", task.features.size(1));
    gat::check<InvalidArgument>(out == task.num_classes, "gat", "the model predicts ", out,
                                " classes but ", task.name, " has ", task.num_classes);
    return task;
  }

  std::string model_path_;
  DatasetArgs data_;
  Checkpoint ckpt_;
};

class EvalCommand final : public SavedModelCommand {
 public:
  std::string description() const override {
    return "Reports train / validation / test accuracy and loss of a saved model on a Planetoid "
           "dataset (by default the dataset and feature normalisation recorded in the "
           "checkpoint).";
  }
  void declare(Options& o) override {
    SavedModelCommand::declare(o);
    o.common(&common, kThreads | kJson);
  }
  int run(const Options& o, Output& out) override {
    const NodeTask task = load(o, out.text());
    const Evaluation e = evaluate_node_model(ckpt_.node_model(), task);
    report(task, e, out);
    return 0;
  }

 private:
  void report(const NodeTask& task, const Evaluation& e, const Output& out) const {
    Json doc = {{"model", model_path_}, {"dataset", task.name}};
    doc.update(evaluation_json(e));
    out.document(doc);
    out.result("%s on %s:\n", model_path_.c_str(), task.name.c_str());
    for (auto [name, m, n] : {std::tuple{"train", e.train, task.train.size()},
                              std::tuple{"val  ", e.val, task.val.size()},
                              std::tuple{"test ", e.test, task.test.size()}})
      out.result("  %s accuracy %5.1f%%  loss %.4f  (%zu nodes)\n", name, 100 * m.accuracy, m.loss,
                 n);
  }
};

class PredictCommand final : public SavedModelCommand {
 public:
  std::string description() const override {
    return "Writes a saved model's logits for every node of a Planetoid dataset as a float32 "
           ".npy file of shape [N, classes] (written atomically).";
  }
  void declare(Options& o) override {
    SavedModelCommand::declare(o);
    o.add_path("out", &out_path_, PathKind::kOutputFile, "the .npy file to write");
    o.common(&common, kThreads);
  }
  void validate(const Options& o) override {
    SavedModelCommand::validate(o);
    if (out_path_.empty()) throw UsageError("--out FILE.npy is required");
  }
  int run(const Options& o, Output& out) override {
    const NodeTask task = load(o, true);
    Tensor logits;
    {
      NoGradGuard no_grad;
      logits = ckpt_.node_model().forward(Variable(task.features), task.graph).data();
    }
    io::save_npy(out_path_, logits);
    out.result("wrote %s: logits [%lld, %lld] of %s on %s\n", out_path_.c_str(),
               static_cast<long long>(logits.size(0)), static_cast<long long>(logits.size(1)),
               model_path_.c_str(), task.name.c_str());
    return 0;
  }

 private:
  std::string out_path_;
};

}  // namespace

std::unique_ptr<Command> eval_command() {
  return std::make_unique<EvalCommand>();
}

std::unique_ptr<Command> predict_command() {
  return std::make_unique<PredictCommand>();
}

}  // namespace gat::cli
