// The Jira REST routes of the stand-in (/rest/api/2/...), over the Model.
//
// Authentication, fault injection and recording happen before this in
// standin.cpp; here a request is answered the way Jira answers it for the
// configured personality, with Jira's status codes and error bodies.
#pragma once

#include <map>
#include <string>

#include "standin_model.h"

namespace jiralink::standin::internal {

struct ApiRequest {
  std::string method;
  std::string path;  // without the context path, e.g. "/rest/api/2/issue/PROJ-1"
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::string body;
  std::string username;      // the authenticated user
  std::string display_name;  // ... and its display name
  bool anonymous = false;    // Cloud: a wrong Basic credential acts as nobody
  int max_results_cap = 50;
  bool new_createmeta = true;  // Server: the new createmeta endpoint exists
  bool old_createmeta = true;  // Server: the old createmeta endpoint exists
};

struct ApiReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json;charset=UTF-8";
  std::multimap<std::string, std::string> headers;
};

ApiReply HandleApi(Model& model, const ApiRequest& request);

// {"errorMessages":[...],"errors":{...}} as Jira sends it.
std::string ErrorBody(const std::vector<std::string>& messages,
                      const std::map<std::string, std::string>& field_errors = {});

}  // namespace jiralink::standin::internal
