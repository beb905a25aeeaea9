// toml++'s implementation, compiled into jiralink when JIRALINK_STATIC_LIBS is
// on (cmake/static_libraries.cmake) instead of loaded from libtomlplusplus.so:
// every translation unit that includes toml++ sees TOML_HEADER_ONLY=0 (through
// the PkgConfig::TOMLPP target), and this one defines TOML_IMPLEMENTATION, as
// toml++ documents for a compiled library (toml++/impl/preprocessor.h).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
