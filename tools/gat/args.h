// tools/gat/args.h — a small command-line option parser for the gat subcommands: typed options
// with defaults and help text, --help generated from them, and a clear error for anything else.
//
// Every value is checked as it is parsed, before the command does any work: numbers against
// their Range, strings against their choices, input paths for being readable and output paths
// with io::check_writable. A value that fails is a UsageError naming the option and the value,
// which main() turns into exit code 2, so that a typo never costs a training run.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace gat::cli {

/// A command line the user got wrong; main() prints it with the usage hint and exits with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The values a numeric option accepts: [min, max], or [min, max) when max_excluded.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool max_excluded = false;
};
/// [lo, +inf)
inline Range at_least(double lo) {
  return {.min = lo};
}
/// [0, 1): a dropout probability (1 would drop everything).
inline constexpr Range kDropoutRange{.min = 0, .max = 1, .max_excluded = true};
/// [0, 1]: a probability.
inline constexpr Range kProbabilityRange{.min = 0, .max = 1};

/// What a path option names; each kind is checked when the option is parsed.
enum class PathKind {
  kInputFile,       // an existing file the command reads (opened for reading to check)
  kInputDirectory,  // an existing directory
  kOutputFile,      // a file the command writes (io::check_writable)
};

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  void add(const std::string& name, int64_t* target, const std::string& help, Range range = {});
  void add(const std::string& name, int* target, const std::string& help, Range range = {});
  void add(const std::string& name, float* target, const std::string& help, Range range = {});
  void add(const std::string& name, std::string* target, const std::string& help);
  /// A string that must be one of `choices`, compared without regard to case; the spelling in
  /// `choices` is stored.
  void add(const std::string& name, std::string* target, const std::string& help,
           std::vector<std::string> choices);
  /// A path, checked as `kind` says when it is given.
  void add_path(const std::string& name, std::string* target, PathKind kind,
                const std::string& help);
  /// A switch without a value: --name sets *target to true.
  void add_flag(const std::string& name, bool* target, const std::string& help);

  /// Parses argv[first..argc). Returns false when --help was given (the help is printed).
  /// Throws UsageError on an unknown option, a missing or malformed value, or a value its
  /// option does not accept.
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

/// One of `choices` equal to `value` without regard to case, or a UsageError naming --option.
std::string check_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& choices);

}  // namespace gat::cli
