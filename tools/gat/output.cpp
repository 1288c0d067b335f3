#include "output.h"

#include <unistd.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace gat::cli {

Output::Output(bool json, bool quiet)
    : json_(json), quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}

namespace {

// printf to `stream` between `before` and `after`, then flush.
void print(FILE* stream, const char* before, const char* format, va_list args, const char* after) {
  std::fputs(before, stream);
  std::vfprintf(stream, format, args);
  std::fputs(after, stream);
  std::fflush(stream);
}

}  // namespace

void Output::result(const char* format, ...) const {
  if (!text()) return;
  va_list args;
  va_start(args, format);
  print(stdout, "", format, args, "");
  va_end(args);
}

void Output::info(const char* format, ...) const {
  if (!chatty()) return;
  va_list args;
  va_start(args, format);
  print(stdout, "", format, args, "");
  va_end(args);
}

void Output::progress(const char* format, ...) const {
  if (!chatty() || !terminal_) return;
  va_list args;
  va_start(args, format);
  print(stderr, "\r", format, args, "   ");
  va_end(args);
}

void Output::clear_progress() const {
  if (chatty() && terminal_) std::fprintf(stderr, "\r%78s\r", "");
}

void Output::epoch(int64_t epoch, const SplitMetrics& train, const SplitMetrics& val, int64_t every,
                   bool first_too) const {
  if (!chatty() || every <= 0 || (epoch % every != 0 && !(first_too && epoch == 1))) return;
  clear_progress();
  info("epoch %4lld  train loss %.4f acc %5.1f%%  val loss %.4f acc %5.1f%%\n",
       static_cast<long long>(epoch), train.loss, 100 * train.accuracy, val.loss,
       100 * val.accuracy);
}

void Output::document(const Json& doc, int indent) const {
  if (!json_) return;
  std::printf("%s\n", json::dump(doc, indent).c_str());
  std::fflush(stdout);
}

std::string task_text(const NodeTask& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s: %lld nodes, %lld directed edges, %lld features, %lld classes; split %zu / "
                "%zu / %zu",
                t.name.c_str(), static_cast<long long>(t.graph.num_nodes()),
                static_cast<long long>(t.graph.num_edges()),
                static_cast<long long>(t.features.size(1)), static_cast<long long>(t.num_classes),
                t.train.size(), t.val.size(), t.test.size());
  return buf;
}

Json metrics_json(const SplitMetrics& m) {
  return {{"loss", m.loss}, {"accuracy", m.accuracy}};
}

Json evaluation_json(const Evaluation& e) {
  return {{"train", metrics_json(e.train)},
          {"val", metrics_json(e.val)},
          {"test", metrics_json(e.test)}};
}

MeanStd mean_std(const std::vector<double>& v) {
  MeanStd s;
  for (double x : v)
    s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double sq = 0;
    for (double x : v)
      sq += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(sq / static_cast<double>(v.size() - 1));
  }
  return s;
}

std::string accuracy_text(const MeanStd& s, int64_t runs) {
  char buf[48];
  if (runs == 1)
    std::snprintf(buf, sizeof buf, "%.1f %%", 100 * s.mean);
  else
    std::snprintf(buf, sizeof buf, "%.1f ± %.1f %%", 100 * s.mean, 100 * s.std);
  return buf;
}

}  // namespace gat::cli
