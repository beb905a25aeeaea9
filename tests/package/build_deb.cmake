# The .deb that tests/package/deb_package_test.cpp reads, built once per ctest
# run (the fixture "deb": ctest runs this before the tests that need it, however
# many they are, and only when one of them is selected).
#   cmake -DCPACK=... -DCONFIG=<build>/CPackConfig.cmake -DOUT=<dir> -P build_deb.cmake
# A missing Debian tool is not a failure: OUT/SKIP names it, and the tests skip.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
foreach(program dpkg-deb dpkg-shlibdeps file)
  find_program(found_${program} ${program})
  if(NOT found_${program})
    file(WRITE "${OUT}/SKIP" "${program} is not installed (apt-get install dpkg-dev file)")
    return()
  endif()
endforeach()
# gzip here, not xz: this build's binary is large (sanitizers), and lintian
# refuses an uncompressed package; everything else is the release setting.
execute_process(
  COMMAND "${CPACK}" -G DEB --config "${CONFIG}" -B "${OUT}" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cpack made no .deb (exit ${status}):\n${output}")
endif()
