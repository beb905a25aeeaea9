// libcurl, loaded on the first Jira request instead of at program start.
// Internal to the jira module.
//
// Linking libcurl brings some thirty shared libraries (TLS, LDAP, Kerberos,
// IDN, ...) into every jiralink process: about 4 ms of dynamic loading before
// main(), paid by each `jiralink render` that cgit or Gitea starts and by each
// push's hook, none of which talk to Jira. Loading it here, when a request is
// about to be made, leaves those commands at about 2 ms of start-up.
#pragma once

#include <curl/curl.h>

#include <string>

namespace jiralink::jira::internal {

// The libcurl functions the transport uses.
struct CurlLibrary {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_easy_escape) easy_escape;
  decltype(&curl_free) free;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
  decltype(&curl_getdate) getdate;  // HTTP's three date forms (Retry-After)
};

// Loads libcurl.so.4 and runs curl_global_init, once per process (thread-safe).
// Returns nullptr, with *error saying why, when the library cannot be loaded.
const CurlLibrary* LoadCurl(std::string* error);

}  // namespace jiralink::jira::internal
