# The Debian package: `cpack -G DEB` in a release build directory.
#
# Decisions (Debian's own command-line packages as the model):
# - Installed under /usr; manual page gzipped; binary stripped.
# - Depends: what dpkg-shlibdeps finds for the linked libraries, plus libcurl4
#   (loaded with dlopen() on first Jira request, so shlibdeps cannot see it)
#   and git (the hook reads pushes with `git rev-list`). Recommends
#   ca-certificates: TLS is verified by default. Suggests the hiredis library
#   of the headers it was built with (libhiredis0.14 on bookworm): loaded with
#   dlopen() only when [render] cache names a Redis server, and libpq5,
#   loaded only for a PostgreSQL outbox.
# - Static-Built-Using (Debian policy 7.8/7.9, deb-control(5)): the source
#   packages whose code is compiled in: the header-only libraries always, and
#   with JIRALINK_STATIC_LIBS the static archives, toml++ and libstdc++
#   (cmake/static_libraries.cmake), which then leave Depends. It tells the
#   archive that a security update of one of them needs a rebuild of jiralink.
#   Not Built-Using: that field is for sources kept for license compliance,
#   which these permissive licenses (and GCC's runtime exception) do not need.
# - No file under /etc, so no conffile: the settings are site-specific (Jira
#   URL, token file), so the package ships the commented example in
#   /usr/share/doc/jiralink/examples/config.toml, and the admin copies it to
#   /etc/jiralink/config.toml, which dpkg then never touches.
# - The deployment model (README, "The Debian package"): postinst adds the
#   system user and group `jiralink` (adduser, as Debian policy 9.2.2 asks;
#   hence Depends: adduser), which own the queue /var/lib/jiralink (0700)
#   and the maildrop /var/spool/jiralink/maildrop (3730), and /etc/jiralink,
#   each honouring dpkg-statoverride. It enables and starts
#   jiralink-deliver.service the way dh_installsystemd's snippets do; the unit
#   runs once /etc/jiralink/config.toml exists (ConditionPathExists). prerm
#   stops the units on removal; postrm purge forgets them and deletes the
#   queue and the maildrop. The user stays, as Debian advises.
# - A native package (version 0.1.0, no Debian revision): the packaging lives
#   in the project, so the Debian changelog is /usr/share/doc/jiralink/changelog.gz.
# - Maintainer: the project's maintainers under the reserved .invalid domain
#   (RFC 2606): the project has no public mail address yet, and an address
#   that cannot exist is more honest than one that bounces.
# - lintian (tests/package/deb_package_test.cpp) reports no error and no warning;
#   its one override, with the reason, is debian/lintian-overrides.
set(CPACK_PACKAGE_NAME jiralink)
set(CPACK_PACKAGE_VENDOR "jiralink")
set(CPACK_PACKAGE_CONTACT "jiralink maintainers <maintainers@jiralink.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Jira issues integration for any git server")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION vcs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, git, adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
# Debian names the package after the soname, HIREDIS_SONAME in hiredis.h.
find_file(JIRALINK_HIREDIS_HEADER hiredis/hiredis.h REQUIRED)
file(STRINGS "${JIRALINK_HIREDIS_HEADER}" jiralink_hiredis_soname REGEX "^#define HIREDIS_SONAME ")
string(REGEX REPLACE "^#define HIREDIS_SONAME +" "" jiralink_hiredis_soname
       "${jiralink_hiredis_soname}")
# libpq5: loaded with dlopen() only when [state] outbox names a PostgreSQL server.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libpq5, libhiredis${jiralink_hiredis_soname}")
# The extended description (CPack puts the summary above it as the synopsis).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A post-receive hook queues Jira comments, remote links and transitions for
commits that mention issue keys, and a delivery service posts them exactly
once. Markdown rendered for cgit or Gitea/Forgejo links Jira keys, and Jira
issues can be listed and created from vulnerability reports.")
# "<source> (= <version>)" of the package owning each compiled-in file; none
# without dpkg-query (not Debian).
find_program(JIRALINK_DPKG_QUERY dpkg-query)
set(jiralink_built_using "")
if(JIRALINK_DPKG_QUERY)
  foreach(file IN LISTS JIRALINK_COMPILED_IN_FILES)
    file(REAL_PATH "${file}" file)
    execute_process(COMMAND ${JIRALINK_DPKG_QUERY} -S "${file}" OUTPUT_VARIABLE owner
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(failed)
      message(WARNING "Static-Built-Using: no Debian package owns ${file}")
      continue()
    endif()
    string(REGEX REPLACE ":.*" "" owner "${owner}")  # "libre2-dev:amd64: /usr/..." -> libre2-dev
    execute_process(COMMAND ${JIRALINK_DPKG_QUERY} -W "-f=\${source:Package} (= \${source:Version})"
                            "${owner}"
                    OUTPUT_VARIABLE source)
    list(APPEND jiralink_built_using "${source}")
  endforeach()
  list(REMOVE_DUPLICATES jiralink_built_using)
  list(SORT jiralink_built_using)
endif()
string(REPLACE ";" ", " CPACK_JIRALINK_STATIC_BUILT_USING "${jiralink_built_using}")
set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/static_built_using.cmake)

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

include(CPack)
