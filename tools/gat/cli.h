// tools/gat/cli.h — how a gat subcommand is written: a Command declares its options on CLI11
// through Options (typed, range-checked, with help text), then runs and reports through Output.
//
// Every value is checked as it is parsed, before the command does any work: numbers against their
// Range, strings against their choices (in any case), input paths for being readable and output
// paths with io::check_writable. A value that fails is a UsageError naming the option and the
// value, which main() turns into exit code 2, so that a typo never costs a training run.
//
// A new command is one file: a class deriving from Command whose declare() adds its options
// (the shared --threads, --seed, --json and --quiet through Options::common()), whose run() does
// the work and whose report() prints it; plus a line in main.cpp's table.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gat::cli {

class Output;

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

/// The options every command may share; Options::common() declares the ones a command asks for.
struct Common {
  int threads = 1;  // set to the machine's default by Options
  int64_t seed = 0;
  bool json = false;
  bool quiet = false;
};

/// Which of Common's options a command has.
enum CommonOption : unsigned { kThreads = 1, kSeed = 2, kJson = 4, kQuiet = 8 };

/// A command's options on its CLI11 app.
class Options {
 public:
  explicit Options(CLI::App& app);

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
  /// The shared options in `which` (CommonOption bits); seed_help says what the seed seeds.
  void common(Common* c, unsigned which, const std::string& seed_help = "random seed");

  /// Whether the user gave --name on the command line (defaults that depend on other options
  /// apply only to options not given).
  bool given(const std::string& name) const;

 private:
  CLI::App& app_;
};

/// s in lower case (ASCII).
std::string lower(std::string s);

/// One of `choices` equal to `value` without regard to case, or a UsageError naming --option.
std::string check_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& choices);

/// A gat subcommand: parse (declare, validate), run and report.
class Command {
 public:
  virtual ~Command() = default;
  /// What `gat <name> --help` says before the options.
  virtual std::string description() const = 0;
  /// Declares the command's options, shared ones included.
  virtual void declare(Options& opts) = 0;
  /// Checks between options after parsing (--max-nodes against --min-nodes); throws UsageError.
  virtual void validate(const Options&) {}
  /// The work and its report; returns the exit code. out says how to print (text or JSON).
  virtual int run(const Options& opts, Output& out) = 0;

  /// The shared options' values (threads defaults to the machine's).
  Common common;
};

/// Parses argv (argv[0] is the command's name), applies --threads and runs the command.
/// Returns the exit code; a bad command line throws UsageError, and --help prints the help and
/// returns 0.
int execute(const std::string& name, Command& command, int argc, char** argv);

}  // namespace gat::cli
