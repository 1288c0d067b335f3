// tools/gat/args.h — a small command-line option parser for the gat subcommands: typed options
// with defaults and help text, --help generated from them, and a clear error for anything else.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gat::cli {

/// A command line the user got wrong; main() prints it with the usage hint and exits with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  void add(const std::string& name, int64_t* target, const std::string& help);
  void add(const std::string& name, int* target, const std::string& help);
  void add(const std::string& name, float* target, const std::string& help);
  void add(const std::string& name, std::string* target, const std::string& help);
  /// A switch without a value: --name sets *target to true.
  void add_flag(const std::string& name, bool* target, const std::string& help);

  /// Parses argv[first..argc). Returns false when --help was given (the help is printed).
  /// Throws UsageError on an unknown option, a missing or malformed value.
  bool parse(int argc, char** argv, int first = 2);
  std::string help() const;
  /// Whether the user gave --name on the command line (defaults that depend on other options
  /// apply only to options not given).
  bool given(const std::string& name) const;

 private:
  struct Option {
    std::string name, help, default_text;
    bool is_flag = false;
    std::function<void(const std::string&)> set;
  };
  std::string command_, summary_;
  std::vector<Option> options_;
  std::vector<std::string> given_;
};

}  // namespace gat::cli
