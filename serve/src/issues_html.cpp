#include "issues_html.h"

#include <cstdint>

#include "jiralink/issues/issue_fields.h"
#include "jiralink/issues/issue_scope.h"
#include "jiralink/serve/html_sanitizer.h"
#include "jiralink/serve/issues_pages.h"

namespace jiralink::serve::html {
namespace {

std::string E(std::string_view text) { return EscapeHtml(text); }

// "2026-01-05T10:00:00.000+0000" -> "2026-01-05 10:00" (other text as given).
std::string ShortTime(const std::string& jira_time) {
  if (jira_time.size() >= 16 && jira_time[10] == 'T') {
    return jira_time.substr(0, 10) + " " + jira_time.substr(11, 5);
  }
  return jira_time;
}

// scheme://host[:port] of a URL, for making Jira's own relative links absolute.
std::string Origin(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::string Frame(const std::string& title, const std::string& main) {
  std::string out;
  out.reserve(main.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + E(title) + "</title>\n";
  out += "<link rel=\"stylesheet\" href=\"" + std::string(kStylesheetPath) + "\">\n";
  out += "</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n";
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
  return "<a class=\"external\" href=\"" + E(issues::IssueUrl(web_url, key)) +
         "\" rel=\"noopener noreferrer\">" + E(text) +
         "<span class=\"visually-hidden\"> (opens in Jira)</span></a>";
}

std::string LabelList(const std::vector<std::string>& labels) {
  if (labels.empty()) return "";
  std::string out = "<ul class=\"labels\">";
  for (const std::string& label : labels) out += "<li>" + E(label) + "</li>";
  return out + "</ul>";
}

bool Filtered(const ListState& s) {
  return !s.labels.empty() || !s.status.empty() || !s.author.empty() || !s.assignee.empty() ||
         !s.project.empty() || !s.search.empty();
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

std::string Tabs(const ListView& view) {
  struct Tab {
    const char* state;
    const char* text;
  };
  static constexpr Tab kTabs[] = {{"opened", "Open"}, {"closed", "Closed"}, {"all", "All"}};
  std::string out = "<nav aria-label=\"Issue state\"><ul class=\"tabs\">";
  for (const Tab& tab : kTabs) {
    std::vector<std::pair<std::string, std::string>> q = {{"state", tab.state}};
    for (auto& pair : FilterQuery(view.state)) q.push_back(std::move(pair));
    if (view.state.sort_given) q.emplace_back("sort", view.state.sort);
    if (view.state.per_page_given) q.emplace_back("per_page", std::to_string(view.state.per_page));
    bool current = view.state.state == tab.state;
    out += "<li><a href=\"" + E(view.base_path + QueryString(q)) + "\"";
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

std::string Table(const ListView& view) {
  const char* tab = view.state.state == "opened"   ? "Open"
                    : view.state.state == "closed" ? "Closed"
                                                   : "All";
  std::string out = "<div class=\"table\"><table class=\"issues\">\n<caption>" + std::string(tab) +
                    " Jira issues" +
                    (view.cloud ? std::string() : ", page " + std::to_string(view.state.page)) +
                    "</caption>\n<thead><tr>"
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
    out += "<td data-label=\"Status\">" + E(issue.status.name) + "</td>";
    out += "<td data-label=\"Labels\">" + LabelList(issue.labels) + "</td>";
    out += "<td data-label=\"Reporter\">" + E(issue.reporter) + "</td>";
    out += "<td data-label=\"Assignee\">" +
           (issue.assignee.empty() ? std::string("Unassigned") : E(issue.assignee)) + "</td>";
    out += "<td data-label=\"Created\">" + E(ShortTime(issue.created)) + "</td>";
    out += "<td data-label=\"Updated\">" + E(ShortTime(issue.updated)) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
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
    if (result.more) {
      auto next = base;
      next.emplace_back("page", std::to_string(s.page + 1));
      links += "<li><a href=\"" + E(view.base_path + QueryString(next)) +
               "\" rel=\"next\">Next page</a></li>";
    }
    where = "Page " + std::to_string(s.page);
    if (result.total >= 0) {
      std::int64_t pages = (result.total + s.per_page - 1) / s.per_page;
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

std::string RichOrPlain(const std::string& html, const std::string& text,
                        const std::string& origin) {
  if (!html.empty()) return "<div class=\"rich\">" + SanitizeHtml(html, origin) + "</div>";
  if (text.empty()) return "";
  return "<div class=\"plain\">" + E(text) + "</div>";
}

}  // namespace

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += UrlEncode(name) + "=" + UrlEncode(value);
  }
  return out;
}

std::string ListPage(const ListView& view) {
  std::string main = Breadcrumbs(view.repository, view.base_path, "");
  main += "<h1>Jira issues</h1>\n";
  main += Tabs(view);
  main += FilterForm(view);
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
  return Frame("Jira issues \u00b7 " + view.repository, main);
}

std::string DetailPage(const DetailView& view) {
  std::string main = Breadcrumbs(view.repository, view.list_path, view.key);
  if (view.issue == nullptr) {
    main += "<h1>" + E(view.key) + "</h1>\n";
    main += "<div class=\"alert\" role=\"alert\"><p>" + E(view.error) + "</p></div>\n";
    return Frame(view.key + " \u00b7 Jira issues", main);
  }
  const jira::Issue& issue = *view.issue;
  std::string origin = Origin(view.web_url);
  main += "<h1>" + E(issue.summary) + "</h1>\n";
  main +=
      "<p class=\"key\">" + JiraLink(view.web_url, issue.key, issue.key + " in Jira") + "</p>\n";
  main += "<dl class=\"fields\">";
  auto field = [&main](const char* name, const std::string& value_html) {
    main += "<div><dt>" + std::string(name) + "</dt><dd>" + value_html + "</dd></div>";
  };
  field("Status", E(issue.status.name.empty() ? "-" : issue.status.name));
  field("Type", E(issue.issue_type.empty() ? "-" : issue.issue_type));
  field("Labels", issue.labels.empty() ? "None" : LabelList(issue.labels));
  field("Reporter", E(issue.reporter.empty() ? "-" : issue.reporter));
  field("Assignee", issue.assignee.empty() ? "Unassigned" : E(issue.assignee));
  field("Priority", E(issue.priority.empty() ? "-" : issue.priority));
  field("Resolution", issue.resolution.empty() ? "Unresolved" : E(issue.resolution));
  field("Created", E(ShortTime(issue.created)));
  field("Updated", E(ShortTime(issue.updated)));
  main += "</dl>\n";

  main += "<section aria-labelledby=\"description\"><h2 id=\"description\">Description</h2>";
  std::string description =
      RichOrPlain(issues::RenderedDescription(issue), issue.description, origin);
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
    for (const jira::Comment& comment : issue.comments) {
      main += "<li><article><header><strong>" + E(comment.author) +
              "</strong> <span class=\"when\">" + E(ShortTime(comment.created)) +
              "</span></header>";
      main += RichOrPlain(issues::RenderedCommentBody(issue, comment), comment.body, origin);
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

std::string MessagePage(const std::string& title, const std::string& message) {
  return Frame(title, "<h1>" + E(title) + "</h1>\n<p>" + E(message) + "</p>\n");
}

const std::string& Stylesheet() {
  static const std::string kCss = R"css(/* jiralink: the "View Jira issues" pages */
:root{color-scheme:light dark;--fg:#1f1e24;--muted:#535158;--line:#dcdcde;--accent:#1f75cb;--bg:#fff;--alert:#fdd4cd}
@media (prefers-color-scheme:dark){:root{--fg:#ececef;--muted:#bfbfc3;--line:#434248;--accent:#63a6e9;--bg:#18171d;--alert:#5c1f1b}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:72rem;margin:0 auto;padding:1rem}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.crumbs{list-style:none;padding:0;margin:0 0 .5rem;display:flex;flex-wrap:wrap;gap:.25rem;color:var(--muted)}
.crumbs li+li::before{content:"/";margin-right:.25rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
.tabs{list-style:none;display:flex;gap:0;padding:0;margin:0 0 1rem;border-bottom:1px solid var(--line)}
.tabs a{display:block;padding:.5rem 1rem;text-decoration:none;color:var(--fg)}
.tabs a[aria-current=page]{font-weight:600;box-shadow:inset 0 -2px 0 var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin-bottom:1rem}
.field{display:flex;flex-direction:column;min-width:10rem;flex:1 1 10rem}
label{font-size:.875rem;font-weight:600}
input,select,button{font:inherit;padding:.375rem .5rem;border:1px solid var(--muted);border-radius:4px;background:var(--bg);color:var(--fg)}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
.alert{background:var(--alert);border-radius:4px;padding:.5rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid var(--line)}
thead th{font-size:.875rem;color:var(--muted)}
.labels{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.25rem}
.labels li{border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;font-size:.875rem}
.pages{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin:1rem 0}
.pages ul{list-style:none;display:flex;gap:1rem;padding:0;margin:0}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.5rem 1rem}
.fields dt{font-size:.875rem;color:var(--muted)}.fields dd{margin:0}
.plain{white-space:pre-wrap;overflow-wrap:anywhere}
.rich{overflow-wrap:anywhere}.rich pre{overflow-x:auto}
.comments{list-style:none;padding:0}.comments li{border-top:1px solid var(--line);padding:.5rem 0}
.when,.empty{color:var(--muted)}
@media (max-width:40rem){
 table,thead,tbody,tr,th,td,caption{display:block}
 thead{position:absolute;left:-999px}
 tr{border:1px solid var(--line);border-radius:4px;margin-bottom:.75rem;padding:.25rem .5rem}
 th,td{border:0;padding:.25rem 0}
 tbody th[data-label]::before,td[data-label]::before{content:attr(data-label);display:block;font-size:.75rem;color:var(--muted)}
}
)css";
  return kCss;
}

}  // namespace jiralink::serve::html
