// Turning an HTTP answer into an ApiStatus. Internal to the jira module.
#pragma once

#include <string_view>

#include "http_transport.h"
#include "jiralink/jira/client.h"

namespace jiralink::jira::internal {

// The ApiStatus of one call: Jira's errorMessages/errors when the body is
// JSON, the <title> or first line when it is HTML or text, whether a retry
// can help, and the Retry-After delay.
ApiStatus MakeApiStatus(std::string_view method, std::string_view path,
                        const HttpResponse& response);

}  // namespace jiralink::jira::internal
