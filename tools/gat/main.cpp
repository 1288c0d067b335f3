// gat — the gat.cpp command-line tool. `gat --help` lists the subcommands.
//
// Exit status: 0 success; 2 a command line that was wrong (UsageError: an unknown command or
// option, a malformed or out-of-range value, an input path that cannot be read or an output
// path that cannot be written), found before any work starts; 1 a run that failed (a dataset or
// file whose content is wrong, an I/O error or no memory during the run).
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "cli.h"
#include "commands.h"
#include "gat/core/error.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  std::unique_ptr<gat::cli::Command> (*make)();
};

const Command kCommands[] = {
    {"train", "train the GAT paper's model on Cora, CiteSeer or PubMed; test accuracy",
     gat::cli::train_command},
    {"eval", "accuracy of a saved model on a dataset's splits", gat::cli::eval_command},
    {"predict", "a saved model's logits for every node, as .npy", gat::cli::predict_command},
    {"info", "what a dataset holds: sizes, split, degree histogram", gat::cli::info_command},
    {"compare", "MLP / GCN / GAT / GATv2 x datasets x runs: the paper's table",
     gat::cli::compare_command},
    {"demo", "train a two-layer GAT on a generated graph (no dataset needed)",
     gat::cli::demo_command},
    {"graph-train", "graph classification with attention pooling on a generated task",
     gat::cli::graph_train_command},
    {"bench", "time a GATConv training step and a 2-layer GAT step; peak memory",
     gat::cli::bench_command},
};

void print_usage(FILE* out) {
  std::fprintf(out,
               "usage: gat <command> [options]\n\n"
               "gat.cpp: graph attention networks (GAT, GATv2) in C++, PyG-compatible.\n\n"
               "commands:\n");
  for (const Command& c : kCommands)
    std::fprintf(out, "  %-11s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\n`gat <command> --help` describes a command's options.\n"
               "exit status: 0 success, 1 the run failed, 2 a bad command line.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return gat::cli::execute(c.name, *c.make(), argc - 1, argv + 1);
    } catch (const gat::cli::UsageError& e) {
      std::fprintf(stderr, "gat %s: %s\n(see `gat %s --help`)\n", c.name, e.what(), c.name);
      return 2;
    } catch (const gat::Error& e) {
      std::fprintf(stderr, "gat %s: error: %s\n", c.name, e.what());
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "gat %s: error: out of memory\n", c.name);
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gat %s: unexpected error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "gat: unknown command '%s'\n\n", name.c_str());
  print_usage(stderr);
  return 2;
}
