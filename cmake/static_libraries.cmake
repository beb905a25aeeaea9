# JIRALINK_STATIC_LIBS: the libraries on the start-up path of every process
# compiled into the programs instead of loaded as shared libraries.
#
# Why: git runs `jiralink hook pre-receive` / `post-receive` once per push,
# cgit and Gitea run `jiralink render` once per page, so each of those pays
# the dynamic loader every time. perf of `jiralink --version` with shared
# libraries: ~47% kernel (exec, mmap of 9 libraries, page faults) and ~41% in
# ld.so's relocation; the program itself ~4%. Measurements and the trade-off
# (a security update of one of these libraries needs a rebuild of jiralink):
# docs/DEVELOPMENT.md, "Start-up: static libraries".
#
# When ON:
# - re2, sqlite3, cmark-gfm (+ extensions) and xxhash link Debian's static
#   archives (lib*.a, shipped by the -dev packages) instead of their .so, for
#   every program of the build: the imported PkgConfig:: targets are pointed at
#   the archives here, so the modules' CMakeLists stay as they are.
# - toml++ is compiled in (config/toml_implementation/, TOML_HEADER_ONLY=0 in
#   every translation unit plus that one TOML_IMPLEMENTATION unit) instead of
#   libtomlplusplus.so, which needs libstdc++.so.
# - the `jiralink` executable links libstdc++ and libgcc statically
#   (cli/CMakeLists.txt). What it loads with dlopen (libcurl, libpq, hiredis)
#   are C libraries, so there is one C++ runtime in the process.
# - glibc stays shared: dlopen and NSS need it.
#
# OFF under the sanitizers (asan and fuzz presets): their runtimes intercept
# malloc/operator new and the C++ runtime through the dynamic symbol table,
# and a debug build's start-up time is not what it is for.
if(JIRALINK_SANITIZE OR JIRALINK_BUILD_FUZZ)
  set(jiralink_static_libs_default OFF)
else()
  set(jiralink_static_libs_default ON)
endif()
option(JIRALINK_STATIC_LIBS
       "Compile re2, sqlite3, cmark-gfm, xxhash, toml++ and (into jiralink) libstdc++ in: faster start-up"
       ${jiralink_static_libs_default})
if(JIRALINK_STATIC_LIBS AND JIRALINK_SANITIZE)
  message(FATAL_ERROR "JIRALINK_STATIC_LIBS does not go with JIRALINK_SANITIZE: the sanitizer "
                      "runtimes want the shared C++ runtime (-DJIRALINK_STATIC_LIBS=OFF)")
endif()

# Files of other packages whose code is compiled into the programs, for the
# .deb's Static-Built-Using field (packaging/cpack.cmake finds their source
# packages). The header-only libraries are compiled in whatever the option says.
find_file(JIRALINK_NLOHMANN_JSON_HEADER nlohmann/json.hpp REQUIRED)
find_file(JIRALINK_CLI11_HEADER CLI/CLI.hpp REQUIRED)
set(JIRALINK_COMPILED_IN_FILES ${JIRALINK_NLOHMANN_JSON_HEADER} ${JIRALINK_CLI11_HEADER})

if(JIRALINK_STATIC_LIBS)
  # jiralink_static_archive(<imported target> <archive names, users first>...)
  # Replaces the shared library of a pkg-config imported target by the static
  # archives named (libNAME.a); include directories and compile flags stay.
  function(jiralink_static_archive target)
    set(archives "")
    foreach(name IN LISTS ARGN)
      find_library(JIRALINK_STATIC_${name} NAMES lib${name}.a)
      if(NOT JIRALINK_STATIC_${name})
        message(FATAL_ERROR "JIRALINK_STATIC_LIBS: lib${name}.a not found (it comes with the "
                            "Debian -dev package; or configure with -DJIRALINK_STATIC_LIBS=OFF)")
      endif()
      list(APPEND archives ${JIRALINK_STATIC_${name}})
    endforeach()
    set(JIRALINK_COMPILED_IN_FILES ${JIRALINK_COMPILED_IN_FILES} ${archives} PARENT_SCOPE)
    # re2 needs the thread library; the C++ ones need libstdc++ (the C++ link
    # driver adds it); sqlite3 needs libm (Libs.private; dlopen is in libc).
    set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES ${archives} Threads::Threads m)
    set_property(TARGET ${target} PROPERTY INTERFACE_LINK_DIRECTORIES "")
    set_property(TARGET ${target} PROPERTY INTERFACE_LINK_OPTIONS "")
  endfunction()
  jiralink_static_archive(PkgConfig::RE2 re2)
  jiralink_static_archive(PkgConfig::SQLITE3 sqlite3)
  jiralink_static_archive(PkgConfig::CMARKGFM cmark-gfm-extensions cmark-gfm)
  jiralink_static_archive(PkgConfig::XXHASH xxhash)
  # toml++ as a compiled library inside the build: no TOML_SHARED_LIB, no .so.
  set_property(TARGET PkgConfig::TOMLPP PROPERTY INTERFACE_COMPILE_OPTIONS "")
  set_property(TARGET PkgConfig::TOMLPP PROPERTY INTERFACE_COMPILE_DEFINITIONS TOML_HEADER_ONLY=0)
  set_property(TARGET PkgConfig::TOMLPP PROPERTY INTERFACE_LINK_LIBRARIES "")
  set_property(TARGET PkgConfig::TOMLPP PROPERTY INTERFACE_LINK_DIRECTORIES "")
  set_property(TARGET PkgConfig::TOMLPP PROPERTY INTERFACE_LINK_OPTIONS "")
  find_file(JIRALINK_TOMLPP_HEADER toml++/toml.h REQUIRED)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.a
                  OUTPUT_VARIABLE jiralink_libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
  file(REAL_PATH "${jiralink_libstdcxx}" jiralink_libstdcxx)
  list(APPEND JIRALINK_COMPILED_IN_FILES ${JIRALINK_TOMLPP_HEADER} ${jiralink_libstdcxx})
endif()
