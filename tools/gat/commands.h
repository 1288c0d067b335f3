// tools/gat/commands.h — the gat subcommands, one file each.
#pragma once

namespace gat::cli {

/// Each returns the process exit code; argv[1] is the subcommand's name.
int run_demo(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_train(int argc, char** argv);
int run_eval(int argc, char** argv);
int run_predict(int argc, char** argv);
int run_info(int argc, char** argv);
int run_compare(int argc, char** argv);
int run_graph_train(int argc, char** argv);

}  // namespace gat::cli
