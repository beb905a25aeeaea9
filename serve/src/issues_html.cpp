#include "issues_html.h"

#include <chrono>
#include <cstdint>
#include <ctime>

#include "jiralink/core/text.h"
#include "jiralink/issues/issue_fields.h"
#include "jiralink/issues/issue_scope.h"
#include "jiralink/serve/html_sanitizer.h"
#include "jiralink/serve/issues_pages.h"

namespace jiralink::serve::html {
namespace {

std::string E(std::string_view text) { return HtmlEscape(text); }

// scheme://host[:port] of a URL, for making Jira's own relative links absolute.
std::string Origin(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::int64_t NowOr(std::int64_t now) {
  if (now != 0) return now;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads `count` digits at *pos into *value.
bool Digits(std::string_view text, std::size_t* pos, int count, int* value) {
  if (*pos + count > text.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += count;
  *value = v;
  return true;
}

// "2026-01-05 18:00 UTC" (`iso`: "2026-01-05T18:00:00Z").
std::string FormatUtc(std::int64_t seconds, bool iso) {
  using namespace std::chrono;
  sys_seconds time{std::chrono::seconds(seconds)};
  sys_days day = floor<days>(time);
  year_month_day date{day};
  hh_mm_ss<std::chrono::seconds> clock{time - day};
  int y = static_cast<int>(date.year());
  unsigned mo = static_cast<unsigned>(date.month());
  unsigned d = static_cast<unsigned>(date.day());
  int h = static_cast<int>(clock.hours().count());
  int mi = static_cast<int>(clock.minutes().count());
  char out[48];
  if (iso) {
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi,
                  static_cast<int>(clock.seconds().count()));
  } else {
    std::snprintf(out, sizeof out, "%04d-%02u-%02u %02d:%02d UTC", y, mo, d, h, mi);
  }
  return out;
}

// The page around `main`; the skip link goes to `skip_target`.
std::string Frame(const std::string& title, const std::string& main,
                  const char* skip_target = "#main", const char* skip_text = "Skip to content") {
  std::string out;
  out.reserve(main.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + E(title) + "</title>\n";
  out += "<link rel=\"stylesheet\" href=\"" + std::string(kStylesheetPath) + "\">\n";
  out += "</head>\n<body>\n<a class=\"skip\" href=\"" + std::string(skip_target) + "\">" +
         skip_text + "</a>\n";
  out += "<main id=\"main\">\n" + main + "</main>\n</body>\n</html>\n";
  return out;
}

std::string Breadcrumbs(const std::string& repository, const std::string& list_path,
                        const std::string& last) {
  std::string out = "<nav aria-label=\"Breadcrumb\"><ol class=\"crumbs\">";
  out += "<li>" + E(repository) + "</li>";
  if (last.empty()) {
    out += "<li aria-current=\"page\">Jira issues</li>";
  } else {
    out += "<li><a href=\"" + E(list_path) + "\">Jira issues</a></li>";
    out += "<li aria-current=\"page\">" + E(last) + "</li>";
  }
  return out + "</ol></nav>\n";
}

std::string JiraLink(const std::string& web_url, const std::string& key, const std::string& text) {
  return ExternalLinkHtml(issues::IssueUrl(web_url, key), text);
}

// Jira's create screen, as the forge links it ("Create new issue in Jira").
std::string CreateIssueLink(const std::string& web_url) {
  if (web_url.empty()) return "";
  std::string base = web_url;
  while (base.ends_with('/')) base.pop_back();
  return "<p class=\"create\">" +
         ExternalLinkHtml(base + "/secure/CreateIssue!default.jspa", "Create new issue in Jira") +
         "</p>\n";
}

std::vector<std::pair<std::string, std::string>> FilterQuery(const ListState& s) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const std::string& label : s.labels) q.emplace_back("labels[]", label);
  q.emplace_back("status", s.status);
  q.emplace_back("author_username", s.author);
  q.emplace_back("assignee_username", s.assignee);
  q.emplace_back("project", s.project);
  q.emplace_back("search", s.search);
  return q;
}

// The list's URL for `s` (first page): its tab, filters, and the sort and
// page size when the URL gave them.
std::string ListHref(const std::string& base_path, const ListState& s) {
  std::vector<std::pair<std::string, std::string>> q = {{"state", s.state}};
  for (auto& pair : FilterQuery(s)) q.push_back(std::move(pair));
  if (s.sort_given) q.emplace_back("sort", s.sort);
  if (s.per_page_given) q.emplace_back("per_page", std::to_string(s.per_page));
  return base_path + QueryString(q);
}

enum class Filter { kLabel, kReporter, kAssignee };

// `value` as a link to the list narrowed to it (added to `current`'s filters).
std::string FilterLink(const std::string& base_path, ListState current, Filter filter,
                       const std::string& value) {
  const char* what = "label";
  if (filter == Filter::kLabel) {
    bool had = false;
    for (const std::string& label : current.labels) had = had || label == value;
    if (!had) current.labels.push_back(value);
  } else if (filter == Filter::kReporter) {
    what = "reporter";
    current.author = value;
  } else {
    what = "assignee";
    current.assignee = value;
  }
  return "<a class=\"filter\" href=\"" + E(ListHref(base_path, current)) +
         "\"><span class=\"visually-hidden\">Issues with " + what + " </span>" + E(value) + "</a>";
}

std::string LabelList(const std::vector<std::string>& labels, const std::string& base_path,
                      const ListState& current) {
  if (labels.empty()) return "";
  std::string out = "<ul class=\"labels\">";
  for (const std::string& label : labels) {
    out += "<li>" + FilterLink(base_path, current, Filter::kLabel, label) + "</li>";
  }
  return out + "</ul>";
}

bool Filtered(const ListState& s) {
  return !s.labels.empty() || !s.status.empty() || !s.author.empty() || !s.assignee.empty() ||
         !s.project.empty() || !s.search.empty();
}

std::string Tabs(const ListView& view) {
  struct Tab {
    const char* state;
    const char* text;
  };
  static constexpr Tab kTabs[] = {{"opened", "Open"}, {"closed", "Closed"}, {"all", "All"}};
  std::string out = "<nav aria-label=\"Issue state\"><ul class=\"tabs\">";
  for (const Tab& tab : kTabs) {
    ListState state = view.state;
    state.state = tab.state;
    bool current = view.state.state == tab.state;
    out += "<li><a href=\"" + E(ListHref(view.base_path, state)) + "\"";
    if (current) out += " aria-current=\"page\"";
    out += ">" + std::string(tab.text);
    std::int64_t count = tab.state[0] == 'o'   ? view.open_count
                         : tab.state[0] == 'c' ? view.closed_count
                         : view.open_count >= 0 && view.closed_count >= 0
                             ? view.open_count + view.closed_count
                             : -1;
    if (count >= 0) out += " <span class=\"count\">" + std::to_string(count) + "</span>";
    out += "</a></li>";
  }
  return out + "</ul></nav>\n";
}

std::string TextField(const std::string& id, const std::string& name, const std::string& label,
                      const std::string& value, const char* type = "text") {
  return "<div class=\"field\"><label for=\"" + id + "\">" + label + "</label><input id=\"" + id +
         "\" name=\"" + name + "\" type=\"" + type + "\" value=\"" + E(value) + "\"></div>";
}

std::string FilterForm(const ListView& view) {
  const ListState& s = view.state;
  std::string out = "<form class=\"filters\" method=\"get\" action=\"" + E(view.base_path) +
                    "\" role=\"search\" aria-label=\"Filter issues\">\n";
  out += "<input type=\"hidden\" name=\"state\" value=\"" + E(s.state) + "\">";
  if (s.per_page_given) {
    out += "<input type=\"hidden\" name=\"per_page\" value=\"" + std::to_string(s.per_page) + "\">";
  }
  out += TextField("f-search", "search", "Search", s.search, "search");
  // One box per label asked for, and one more to add a label.
  for (std::size_t i = 0; i <= s.labels.size(); ++i) {
    std::string id = "f-label-" + std::to_string(i + 1);
    std::string label = i == 0 ? "Label" : "Label " + std::to_string(i + 1);
    out += TextField(id, "labels[]", label, i < s.labels.size() ? s.labels[i] : "");
  }
  out += TextField("f-status", "status", "Status", s.status);
  out += TextField("f-author", "author_username", "Reporter", s.author);
  out += TextField("f-assignee", "assignee_username", "Assignee", s.assignee);
  if (!view.project_keys.empty()) {
    out +=
        "<div class=\"field\"><label for=\"f-project\">Project</label>"
        "<select id=\"f-project\" name=\"project\"><option value=\"\">Any</option>";
    for (const std::string& key : view.project_keys) {
      out += "<option value=\"" + E(key) + "\"" + (key == s.project ? " selected" : "") + ">" +
             E(key) + "</option>";
    }
    out += "</select></div>";
  } else {
    out += TextField("f-project", "project", "Project", s.project);
  }
  struct Sort {
    const char* value;
    const char* text;
  };
  static constexpr Sort kSorts[] = {{"created_desc", "Created date, newest first"},
                                    {"created_asc", "Created date, oldest first"},
                                    {"updated_desc", "Updated date, newest first"},
                                    {"updated_asc", "Updated date, oldest first"}};
  out +=
      "<div class=\"field\"><label for=\"f-sort\">Sort by</label>"
      "<select id=\"f-sort\" name=\"sort\">";
  for (const Sort& sort : kSorts) {
    out += "<option value=\"" + std::string(sort.value) + "\"" +
           (s.sort == sort.value ? " selected" : "") + ">" + sort.text + "</option>";
  }
  out += "</select></div>\n";
  out += "<div class=\"actions\"><button type=\"submit\">Apply</button> <a href=\"" +
         E(view.base_path + QueryString({{"state", s.state}})) + "\">Clear filters</a></div>\n";
  return out + "</form>\n";
}

// The issue's resolutiondate, when it has one.
std::string ClosedTime(const jira::Issue& issue, std::int64_t now) {
  std::string closed = issues::ResolutionDate(issue);
  return closed.empty() ? std::string() : TimeHtml(closed, now);
}

std::string Table(const ListView& view) {
  const char* tab = view.state.state == "opened"   ? "Open"
                    : view.state.state == "closed" ? "Closed"
                                                   : "All";
  std::int64_t now = NowOr(view.now);
  std::string out = "<div class=\"table\"><table class=\"issues\">\n<caption>" + std::string(tab) +
                    " Jira issues" +
                    (view.cloud ? std::string() : ", page " + std::to_string(view.state.page)) +
                    " <span class=\"zone\">(times in UTC)</span></caption>\n<thead><tr>"
                    "<th scope=\"col\">Issue</th><th scope=\"col\">Summary</th>"
                    "<th scope=\"col\">Status</th><th scope=\"col\">Labels</th>"
                    "<th scope=\"col\">Reporter</th><th scope=\"col\">Assignee</th>"
                    "<th scope=\"col\">Created</th><th scope=\"col\">Updated</th>"
                    "</tr></thead>\n<tbody>\n";
  for (const jira::Issue& issue : view.result->issues) {
    out += "<tr><th scope=\"row\" data-label=\"Issue\">" +
           JiraLink(view.web_url, issue.key, issue.key) + "</th>";
    out += "<td data-label=\"Summary\"><a href=\"" + E(view.base_path + "/" + issue.key) + "\">" +
           E(issue.summary) + "</a></td>";
    std::string closed = ClosedTime(issue, now);
    out += "<td data-label=\"Status\">" + E(issue.status.name) +
           (closed.empty() ? "" : "<span class=\"closed\">Closed " + closed + "</span>") + "</td>";
    out += "<td data-label=\"Labels\">" + LabelList(issue.labels, view.base_path, view.state) +
           "</td>";
    out += "<td data-label=\"Reporter\">" +
           (issue.reporter.empty()
                ? std::string()
                : FilterLink(view.base_path, view.state, Filter::kReporter, issue.reporter)) +
           "</td>";
    out += "<td data-label=\"Assignee\">" +
           (issue.assignee.empty()
                ? std::string("Unassigned")
                : FilterLink(view.base_path, view.state, Filter::kAssignee, issue.assignee)) +
           "</td>";
    out += "<td data-label=\"Created\">" + TimeHtml(issue.created, now) + "</td>";
    out += "<td data-label=\"Updated\">" + TimeHtml(issue.updated, now) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
}

// Page numbers around `page` of `pages`: the first, the last, and two on
// each side of the current one, with gaps shown as an ellipsis.
std::string PageNumbers(const ListView& view,
                        const std::vector<std::pair<std::string, std::string>>& base,
                        std::int64_t pages) {
  std::int64_t page = view.state.page;
  std::vector<std::int64_t> numbers = {1};
  for (std::int64_t n = page - 2; n <= page + 2; ++n) {
    if (n > numbers.back() && n < pages) numbers.push_back(n);
  }
  if (pages > numbers.back()) numbers.push_back(pages);
  std::string out;
  std::int64_t previous = 0;
  for (std::int64_t n : numbers) {
    if (n > previous + 1) out += "<li class=\"gap\" aria-hidden=\"true\">\u2026</li>";
    previous = n;
    std::string number = std::to_string(n);
    auto query = base;
    query.emplace_back("page", number);
    out += "<li><a href=\"" + E(view.base_path + QueryString(query)) + "\" aria-label=\"Page " +
           number + "\"" + (n == page ? " aria-current=\"page\"" : "") + ">" + number + "</a></li>";
  }
  return out;
}

std::string Paging(const ListView& view) {
  const ListState& s = view.state;
  const issues::IssuePage& result = *view.result;
  std::vector<std::pair<std::string, std::string>> base = {{"state", s.state}};
  for (auto& pair : FilterQuery(s)) base.push_back(std::move(pair));
  base.emplace_back("sort", s.sort);
  if (s.per_page_given) base.emplace_back("per_page", std::to_string(s.per_page));
  std::string links;
  std::string where;
  if (view.cloud) {
    if (!s.token.empty()) {
      links += "<li><a href=\"" + E(view.base_path + QueryString(base)) + "\">First page</a></li>";
    }
    if (result.more) {
      auto next = base;
      next.emplace_back("next_page_token", result.next_page_token);
      links += "<li><a href=\"" + E(view.base_path + QueryString(next)) +
               "\" rel=\"next\">Next page</a></li>";
    }
  } else {
    if (s.page > 1) {
      auto previous = base;
      previous.emplace_back("page", std::to_string(s.page - 1));
      links += "<li><a href=\"" + E(view.base_path + QueryString(previous)) +
               "\" rel=\"prev\">Previous page</a></li>";
    }
    std::int64_t pages = 0;
    if (result.total >= 0) {
      pages = (result.total + s.per_page - 1) / s.per_page;
      if (pages > 1) links += PageNumbers(view, base, pages);
    }
    if (result.more) {
      auto next = base;
      next.emplace_back("page", std::to_string(s.page + 1));
      links += "<li><a href=\"" + E(view.base_path + QueryString(next)) +
               "\" rel=\"next\">Next page</a></li>";
    }
    where = "Page " + std::to_string(s.page);
    if (result.total >= 0) {
      where += " of " + std::to_string(pages < 1 ? 1 : pages) + " (" +
               std::to_string(result.total) + " issues)";
    }
  }
  if (links.empty() && where.empty()) return "";
  std::string out = "<nav class=\"pages\" aria-label=\"Pagination\">";
  if (!where.empty()) out += "<p>" + where + "</p>";
  if (!links.empty()) out += "<ul>" + links + "</ul>";
  return out + "</nav>\n";
}

// Jira's HTML for the part `region_label` names ("Description", "Comment 2"),
// else its wiki text as plain text.
std::string RichOrPlain(const std::string& html, const std::string& text, const std::string& origin,
                        const std::string& region_label) {
  if (!html.empty()) {
    SanitizeOptions options;
    options.link_origin = origin;
    options.heading_shift = 2;  // below the page's h1 and h2
    options.region_label = region_label;
    std::string safe = SanitizeHtml(html, options);
    if (!safe.empty()) return "<div class=\"rich\">" + safe + "</div>";
  }
  if (text.empty()) return "";
  return "<div class=\"plain\">" + E(text) + "</div>";
}

}  // namespace

std::string UrlEncode(std::string_view text) { return PercentEncode(text); }

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += UrlEncode(name) + "=" + UrlEncode(value);
  }
  return out;
}

bool ParseJiraTime(std::string_view text, std::int64_t* seconds) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto expect = [&](char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
  };
  if (!Digits(text, &pos, 4, &year) || !expect('-') || !Digits(text, &pos, 2, &month) ||
      !expect('-') || !Digits(text, &pos, 2, &day)) {
    return false;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return false;
  ++pos;
  if (!Digits(text, &pos, 2, &hour) || !expect(':') || !Digits(text, &pos, 2, &minute)) {
    return false;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!Digits(text, &pos, 2, &second)) return false;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 9) {
        ++pos;
        ++digits;
      }
      if (digits == 0) return false;
    }
  }
  int offset = 0;  // seconds east of UTC
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int hours = 0, minutes = 0;
    if (!Digits(text, &pos, 2, &hours)) return false;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (pos < text.size() && !Digits(text, &pos, 2, &minutes)) return false;
    if (hours > 18 || minutes > 59) return false;
    offset = sign * (hours * 3600 + minutes * 60);
  } else {
    return false;  // no zone: which one is unknown
  }
  if (pos != text.size()) return false;
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return false;
  std::int64_t days_since_epoch = sys_days(date).time_since_epoch().count();
  *seconds = days_since_epoch * 86400 + hour * 3600 + minute * 60 + second - offset;
  return true;
}

std::string RelativeTime(std::int64_t then, std::int64_t now) {
  std::int64_t diff = now - then;
  bool future = diff < 0;
  std::int64_t span = future ? -diff : diff;
  if (span < 60) return "just now";
  struct Unit {
    std::int64_t seconds;
    std::int64_t below;  // this unit is used while span < below
    const char* name;
  };
  static constexpr std::int64_t kDay = 86400;
  static constexpr Unit kUnits[] = {{60, 3600, "minute"},
                                    {3600, kDay, "hour"},
                                    {kDay, 7 * kDay, "day"},
                                    {7 * kDay, 30 * kDay, "week"},
                                    {30 * kDay, 365 * kDay, "month"},
                                    {365 * kDay, INT64_MAX, "year"}};
  for (const Unit& unit : kUnits) {
    if (span >= unit.below) continue;
    std::int64_t count = span / unit.seconds;
    std::string amount = std::to_string(count) + " " + unit.name + (count == 1 ? "" : "s");
    return future ? "in " + amount : amount + " ago";
  }
  return "just now";  // not reached
}

std::string TimeHtml(std::string_view jira_time, std::int64_t now) {
  std::int64_t seconds = 0;
  if (!ParseJiraTime(jira_time, &seconds)) return E(jira_time);
  return "<time datetime=\"" + FormatUtc(seconds, true) + "\" title=\"" +
         FormatUtc(seconds, false) + "\">" + RelativeTime(seconds, NowOr(now)) + "</time>";
}

std::string ListPage(const ListView& view) {
  std::string main = Breadcrumbs(view.repository, view.base_path, "");
  main += "<div class=\"title\"><h1>Jira issues</h1>" + CreateIssueLink(view.web_url) + "</div>\n";
  main += Tabs(view);
  main += FilterForm(view);
  // The skip link's target: the results (or why there are none).
  main += "<div id=\"issues\" tabindex=\"-1\">\n";
  if (view.result == nullptr) {
    main += "<div class=\"alert\" role=\"alert\"><p>" + E(view.error) + "</p></div>\n";
  } else if (view.result->issues.empty()) {
    std::string text = Filtered(view.state)           ? "Sorry, your filter produced no results."
                       : view.state.state == "opened" ? "There are no open issues."
                       : view.state.state == "closed" ? "There are no closed issues."
                                                      : "There are no issues.";
    main += "<p class=\"empty\">" + text + "</p>\n";
    main += Paging(view);
  } else {
    main += Table(view);
    main += Paging(view);
  }
  main += "</div>\n";
  return Frame("Jira issues \u00b7 " + view.repository, main, "#issues",
               "Skip to the list of issues");
}

std::string DetailPage(const DetailView& view) {
  std::string main = Breadcrumbs(view.repository, view.list_path, view.key);
  if (view.issue == nullptr) {
    main += "<h1>" + E(view.key) + "</h1>\n";
    main += "<div class=\"alert\" role=\"alert\"><p>" + E(view.error) + "</p></div>\n";
    main += "<p><a href=\"" + E(view.list_path) + "\">Back to the Jira issues</a></p>\n";
    return Frame(view.key + " \u00b7 Jira issues", main);
  }
  const jira::Issue& issue = *view.issue;
  std::int64_t now = NowOr(view.now);
  std::string origin = Origin(view.web_url);
  ListState list;  // the list's defaults, for the filter links
  main += "<h1>" + E(issue.summary) + "</h1>\n";
  main +=
      "<p class=\"key\">" + JiraLink(view.web_url, issue.key, issue.key + " in Jira") + "</p>\n";
  main += "<dl class=\"fields\">";
  auto field = [&main](const char* name, const std::string& value_html) {
    main += "<div><dt>" + std::string(name) + "</dt><dd>" + value_html + "</dd></div>";
  };
  field("Status", E(issue.status.name.empty() ? "-" : issue.status.name));
  field("Type", E(issue.issue_type.empty() ? "-" : issue.issue_type));
  field("Labels", issue.labels.empty() ? "None" : LabelList(issue.labels, view.list_path, list));
  field("Reporter", issue.reporter.empty()
                        ? "-"
                        : FilterLink(view.list_path, list, Filter::kReporter, issue.reporter));
  field("Assignee", issue.assignee.empty()
                        ? "Unassigned"
                        : FilterLink(view.list_path, list, Filter::kAssignee, issue.assignee));
  field("Priority", E(issue.priority.empty() ? "-" : issue.priority));
  field("Resolution", issue.resolution.empty() ? "Unresolved" : E(issue.resolution));
  field("Created", TimeHtml(issue.created, now));
  field("Updated", TimeHtml(issue.updated, now));
  if (std::string closed = ClosedTime(issue, now); !closed.empty()) field("Closed", closed);
  main += "</dl>\n<p class=\"zone\">Times are in UTC.</p>\n";

  main += "<section aria-labelledby=\"description\"><h2 id=\"description\">Description</h2>";
  std::string description =
      RichOrPlain(issues::RenderedDescription(issue), issue.description, origin, "Description");
  main += description.empty() ? "<p class=\"empty\">No description.</p>" : description;
  main += "</section>\n";

  std::int64_t total = issues::CommentTotal(issue);
  std::size_t shown = issue.comments.size();
  main += "<section aria-labelledby=\"comments\"><h2 id=\"comments\">Comments (" +
          std::to_string(
              total > static_cast<std::int64_t>(shown) ? total : static_cast<std::int64_t>(shown)) +
          ")</h2>";
  if (shown == 0) {
    main += "<p class=\"empty\">No comments.</p>";
  } else {
    main += "<ol class=\"comments\">";
    int number = 0;
    for (const jira::Comment& comment : issue.comments) {
      ++number;
      main += "<li><article><header><strong>" + E(comment.author) +
              "</strong> <span class=\"when\">" + TimeHtml(comment.created, now) +
              "</span></header>";
      main += RichOrPlain(issues::RenderedCommentBody(issue, comment), comment.body, origin,
                          "Comment " + std::to_string(number));
      main += "</article></li>";
    }
    main += "</ol>";
    if (total > static_cast<std::int64_t>(shown)) {
      main += "<p>" + std::to_string(shown) + " of " + std::to_string(total) + " comments shown; " +
              JiraLink(view.web_url, issue.key, "read them all in Jira") + ".</p>";
    }
  }
  main += "</section>\n";
  return Frame(issue.key + " \u00b7 " + issue.summary, main);
}

std::string MessagePage(const std::string& title, const std::string& message,
                        const std::string& list_path) {
  std::string main = "<h1>" + E(title) + "</h1>\n<p>" + E(message) + "</p>\n";
  if (!list_path.empty()) {
    main += "<p><a href=\"" + E(list_path) + "\">Back to the Jira issues</a></p>\n";
  }
  return Frame(title, main);
}

const std::string& Stylesheet() {
  static const std::string kCss = R"css(/* jiralink: the "View Jira issues" pages */
:root{color-scheme:light dark;--fg:#1f1e24;--muted:#535158;--line:#dcdcde;--accent:#1f75cb;--bg:#fff;--alert:#fdd4cd;--button:#1f75cb;--on-button:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#ececef;--muted:#bfbfc3;--line:#434248;--accent:#63a6e9;--bg:#18171d;--alert:#5c1f1b;--button:#63a6e9;--on-button:#18171d}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:72rem;margin:0 auto;padding:1rem}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus,.scroll:focus{outline:3px solid var(--accent);outline-offset:2px}
#issues:focus{outline:none}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ext{margin-left:.2em;font-size:.85em;text-decoration:none;display:inline-block}
.crumbs{list-style:none;padding:0;margin:0 0 .5rem;display:flex;flex-wrap:wrap;gap:.25rem;color:var(--muted)}
.crumbs li+li::before{content:"/";margin-right:.25rem}
.title{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
.create{margin:0}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
.tabs{list-style:none;display:flex;gap:0;padding:0;margin:0 0 1rem;border-bottom:1px solid var(--line)}
.tabs a{display:block;padding:.5rem 1rem;text-decoration:none;color:var(--fg)}
.tabs a[aria-current=page]{font-weight:600;box-shadow:inset 0 -2px 0 var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin-bottom:1rem}
.field{display:flex;flex-direction:column;min-width:10rem;flex:1 1 10rem}
label{font-size:.875rem;font-weight:600}
input,select,button{font:inherit;padding:.375rem .5rem;border:1px solid var(--muted);border-radius:4px;background:var(--bg);color:var(--fg)}
button{background:var(--button);color:var(--on-button);border-color:var(--button);cursor:pointer}
.alert{background:var(--alert);border-radius:4px;padding:.5rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.zone{font-weight:400;color:var(--muted)}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid var(--line)}
thead th{font-size:.875rem;color:var(--muted)}
time,.issues tbody th{white-space:nowrap}
.closed{display:block;font-size:.875rem;color:var(--muted)}
.labels{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.25rem}
.labels li{border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;font-size:.875rem}
.pages{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:1rem 0}
.pages ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1rem;padding:0;margin:0}
.pages a[aria-current=page]{font-weight:600;color:var(--fg);text-decoration:none}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.5rem 1rem}
.fields dt{font-size:.875rem;color:var(--muted)}.fields dd{margin:0}
.plain{white-space:pre-wrap;overflow-wrap:anywhere}
.rich{overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
.rich pre{margin:0;padding:.5rem;white-space:pre;overflow-wrap:normal}
.rich table{width:auto;overflow-wrap:normal}
.rich th,.rich td{border:1px solid var(--line);min-width:6rem}
.comments{list-style:none;padding:0}.comments li{border-top:1px solid var(--line);padding:.5rem 0}
.when,.empty{color:var(--muted)}
@media (max-width:40rem){
 .issues,.issues thead,.issues tbody,.issues tr,.issues th,.issues td,.issues caption{display:block}
 .issues thead{position:absolute;left:-999px}
 .issues tr{border:1px solid var(--line);border-radius:4px;margin-bottom:.75rem;padding:.25rem .5rem}
 .issues th,.issues td{border:0;padding:.25rem 0}
 .issues tbody th[data-label]::before,.issues td[data-label]::before{content:attr(data-label);display:block;font-size:.75rem;color:var(--muted)}
}
)css";
  return kCss;
}

}  // namespace jiralink::serve::html
