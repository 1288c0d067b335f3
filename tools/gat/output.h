// tools/gat/output.h — how every gat command prints: text on stdout, a progress line on stderr
// (only on a terminal: in a log file or a pipe a line redrawn with '\r' is noise), or one JSON
// object on stdout with --json. With --quiet only the final summary is printed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gat/data/node_task.h"
#include "gat/io/json.h"
#include "gat/train/trainer.h"

namespace gat::cli {

class Output {
 public:
  /// json: print one JSON object and no text; quiet: only the summary lines.
  Output(bool json, bool quiet);

  bool json() const { return json_; }
  /// Text output (not --json).
  bool text() const { return !json_; }
  /// Text output beyond the summary (not --json, not --quiet).
  bool chatty() const { return !json_ && !quiet_; }

  /// printf to stdout when text(): results and summaries.
  [[gnu::format(printf, 2, 3)]] void result(const char* format, ...) const;
  /// printf to stdout when chatty(): what is being done, logs.
  [[gnu::format(printf, 2, 3)]] void info(const char* format, ...) const;
  /// Redraws the status line on stderr when chatty() and stderr is a terminal.
  [[gnu::format(printf, 2, 3)]] void progress(const char* format, ...) const;
  /// Clears the status line (before a log line or at the end of a phase).
  void clear_progress() const;

  /// The epoch log line, when chatty() and `epoch` is a multiple of `every` (every > 0), or the
  /// first epoch when first_too: "epoch   10  train loss 1.2345 acc  50.0%  val loss ...".
  void epoch(int64_t epoch, const SplitMetrics& train, const SplitMetrics& val, int64_t every,
             bool first_too = false) const;

  /// The document on stdout when json(): pretty-printed with `indent` spaces, or on one line
  /// when indent < 0.
  void document(const Json& doc, int indent = 2) const;

 private:
  bool json_, quiet_, terminal_;
};

/// "Cora: 2708 nodes, 10556 directed edges, 1433 features, 7 classes; split 140 / 500 / 1000"
std::string task_text(const NodeTask& task);

/// {"loss": ..., "accuracy": ...}
Json metrics_json(const SplitMetrics& m);
/// {"train": ..., "val": ..., "test": ...}
Json evaluation_json(const Evaluation& e);

/// Mean and sample standard deviation (0 for one value) of a non-empty list.
struct MeanStd {
  double mean = 0, std = 0;
};
MeanStd mean_std(const std::vector<double>& v);

/// "82.1 %" for one run, "82.1 ± 0.6 %" for several (one run has no spread to show: "± 0.0"
/// would read as a measured zero). Fractions in, percent out.
std::string accuracy_text(const MeanStd& s, int64_t runs);

}  // namespace gat::cli
