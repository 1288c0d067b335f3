// tools/gat/commands.h — the gat subcommands, one file each (cli.h says how one is written).
#pragma once

#include <memory>

#include "cli.h"

namespace gat::cli {

std::unique_ptr<Command> train_command();
std::unique_ptr<Command> eval_command();
std::unique_ptr<Command> predict_command();
std::unique_ptr<Command> info_command();
std::unique_ptr<Command> compare_command();
std::unique_ptr<Command> demo_command();
std::unique_ptr<Command> graph_train_command();
std::unique_ptr<Command> bench_command();

}  // namespace gat::cli
