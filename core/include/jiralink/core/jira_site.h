// Facts about a Jira site that follow from its URL alone. Pure text, no I/O.
//
// This is the one place that answers "is this Jira Cloud?" from a URL: the
// settings (config/), the REST client (jira/) and `migrate` all ask here.
#pragma once

#include <string_view>

namespace jiralink {

// True when `url` is an absolute http:// or https:// URL whose host is a
// subdomain of atlassian.net (Jira Cloud), e.g. "https://acme.atlassian.net/"
// or "http://ACME.atlassian.net." (case, a user-info part, a port and one
// trailing dot in the host do not matter). The scheme does not decide it:
// Cloud serves http:// only as a redirect to https://, so an http:// Cloud
// URL still names a Cloud site. False for hosts that only contain the text
// ("atlassian.net.evil.com", "evil.com/.atlassian.net") or have characters
// no host name has.
bool IsJiraCloudUrl(std::string_view url);

// Atlassian's API gateway, where Jira Cloud's Development Information API and
// its OAuth token endpoint live: the default of [devinfo] api_url
// (jira/devinfo.h).
inline constexpr std::string_view kAtlassianApiGatewayUrl = "https://api.atlassian.com";

}  // namespace jiralink
