#pragma once

// The standard streams of the command-line programs. Output that cannot be written (a full
// disk, a closed pipe, a closed stdout) is an error: the program stops and exits non-zero
// with one line on stderr, instead of reporting success for output nobody got.

#include <string_view>

namespace prism::app {

// The whole main of a command-line program around `run`:
// - first, a closed stdin or stderr is pointed at /dev/null, so that no file the program opens
//   later takes their descriptor (and gets error messages written into it); a closed stdout
//   fails at once ("<program>: standard output is closed");
// - SIGPIPE is ignored: a reader that went away is a write error (EPIPE) like any other, seen
//   by the next write, rather than a silent death;
// - last, stdout is flushed: when `run` returned 0 but output was lost, prints
//   "<program>: cannot write the output: <reason>" and returns 1. (A failed `run` has printed
//   its own line already.)
int main_with_checked_output(std::string_view program, int argc, char** argv,
                             int (*run)(int argc, char** argv));

// Writes `text` to stdout and flushes it (streamed answers). False once a write failed.
bool write_stdout(std::string_view text);
// As write_stdout, but a failure throws prism::Error("cannot write the output: <reason>").
void write_stdout_or_throw(std::string_view text);

// The reason of the first failed write, for messages ("No space left on device").
const char* stdout_error();

}  // namespace prism::app
