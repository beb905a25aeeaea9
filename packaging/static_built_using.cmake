# Run by cpack after it wrote the .deb (CPACK_POST_BUILD_SCRIPTS, set in
# cpack.cmake): adds the control field Static-Built-Using, which CPack's DEB
# generator cannot write itself. The value, CPACK_JIRALINK_STATIC_BUILT_USING,
# was found at configure time ("re2 (= 20220601+dfsg-1), ..."). The package
# is unpacked with dpkg-deb -R and built again with dpkg-deb -b (files owned
# by root, as CPack writes them; the same compression).
if(NOT CPACK_JIRALINK_STATIC_BUILT_USING)
  return()
endif()
find_program(JIRALINK_DPKG_DEB dpkg-deb REQUIRED)
set(compression "${CPACK_DEBIAN_COMPRESSION_TYPE}")
if(NOT compression)
  set(compression gzip)
endif()
foreach(deb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT deb MATCHES "\\.deb$")
    continue()
  endif()
  set(tree "${deb}.tree")
  file(REMOVE_RECURSE "${tree}")
  execute_process(COMMAND ${JIRALINK_DPKG_DEB} -R "${deb}" "${tree}"
                  RESULT_VARIABLE failed ERROR_VARIABLE errors)
  if(failed)
    message(FATAL_ERROR "dpkg-deb -R ${deb}: ${errors}")
  endif()
  file(READ "${tree}/DEBIAN/control" control)
  # Before Description, whose continuation lines end the paragraph.
  string(REPLACE "\nDescription:"
                 "\nStatic-Built-Using: ${CPACK_JIRALINK_STATIC_BUILT_USING}\nDescription:"
                 control "${control}")
  file(WRITE "${tree}/DEBIAN/control" "${control}")
  execute_process(COMMAND ${JIRALINK_DPKG_DEB} --root-owner-group -Z${compression} -b "${tree}" "${deb}"
                  RESULT_VARIABLE failed OUTPUT_QUIET ERROR_VARIABLE errors)
  if(failed)
    message(FATAL_ERROR "dpkg-deb -b ${tree}: ${errors}")
  endif()
  file(REMOVE_RECURSE "${tree}")
endforeach()
