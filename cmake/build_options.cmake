# jiralink_options: the compile and link flags of every target of this
# project, in one interface target rather than directory-wide
# add_compile_options, so that they are a property of our targets (and of
# nothing else a future dependency might build) and one place says them all.
# jiralink_link_options_to_all() links it to every target once the tree is
# read, so a new target cannot be left without the warnings or sanitizers.
add_library(jiralink_options INTERFACE)
target_compile_options(jiralink_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
if(JIRALINK_WERROR)
  target_compile_options(jiralink_options INTERFACE -Werror)
endif()
# GCC 12 reports a false -Wrestrict for `"literal" + std::string&&` at -O3
# (GCC bug 105651); it would break the release build under -Werror.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(jiralink_options INTERFACE -Wno-restrict)
endif()
if(JIRALINK_SANITIZE)
  target_compile_options(jiralink_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(jiralink_options INTERFACE -fsanitize=address,undefined)
endif()
if(JIRALINK_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "JIRALINK_BUILD_FUZZ needs Clang (libFuzzer); use the fuzz preset")
  endif()
  # Every library is instrumented for coverage, so libFuzzer is guided by the
  # modules' branches; the fuzz programs themselves link libFuzzer (tests/fuzz).
  target_compile_options(jiralink_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Links jiralink_options (PRIVATE) to every library and program defined in
# `dir` and below. Called once, at the end of the top CMakeLists.txt.
function(jiralink_link_options_to_all dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      target_link_libraries(${target} PRIVATE jiralink_options)
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    jiralink_link_options_to_all(${subdirectory})
  endforeach()
endfunction()
