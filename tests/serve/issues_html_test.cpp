// The HTML of the "View Jira issues" pages (serve/src/issues_html.h), built
// from Jira's answers as the client parses them: times, links, headings,
// regions, paging and the error pages.
#include "issues_html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jiralink::serve::html {
namespace {

// 2026-01-05T18:00:00Z.
constexpr std::int64_t kIndiaEvening = 1767636000;

std::size_t Count(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

jira::Issue MakeIssue(const std::string& key, const std::string& created,
                      const std::string& updated) {
  jira::Issue issue;
  issue.key = key;
  issue.summary = "Summary of " + key;
  issue.status.name = "To Do";
  issue.reporter = "Ada Lovelace";
  issue.created = created;
  issue.updated = updated;
  issue.raw = {{"key", key}, {"fields", nlohmann::json::object()}};
  return issue;
}

ListView MakeList(const issues::IssuePage* page) {
  ListView view;
  view.repository = "platform/api";
  view.base_path = "/platform/api/-/integrations/jira/issues";
  view.web_url = "https://jira.example.com";
  view.result = page;
  view.now = kIndiaEvening + 3 * 86400;
  return view;
}

TEST(IssuesHtmlTime, ReadsJirasOffsets) {
  std::int64_t india = 0;
  std::int64_t pacific = 0;
  ASSERT_TRUE(ParseJiraTime("2026-01-05T23:30:00.000+0530", &india));
  ASSERT_TRUE(ParseJiraTime("2026-01-05T23:45:00.000-0800", &pacific));
  EXPECT_EQ(india, kIndiaEvening);  // 18:00 UTC
  // 07:45 UTC the next day: 13 h 45 min later, not the 15 minutes the wall
  // clocks differ by.
  EXPECT_EQ(pacific - india, 13 * 3600 + 45 * 60);
  std::int64_t same = 0;
  for (const char* text :
       {"2026-01-05T18:00:00.000+0000", "2026-01-05T18:00:00Z", "2026-01-05T23:30+05:30",
        "2026-01-05 18:00:00,5Z", "2026-01-05T13:00:00-05"}) {
    EXPECT_TRUE(ParseJiraTime(text, &same)) << text;
    EXPECT_EQ(same, kIndiaEvening) << text;
  }
  std::int64_t untouched = 7;
  for (const char* text :
       {"", "2026-01-05", "2026-01-05T18:00:00.000", "2026-13-05T18:00:00Z", "2026-02-30T18:00:00Z",
        "2026-01-05T24:00:00Z", "2026-01-05T18:00:00.000+0000x", "2026-01-05T18:00:00.+0000",
        "2026-01-05T18:00:00+2500", "yesterday"}) {
    EXPECT_FALSE(ParseJiraTime(text, &untouched)) << text;
    EXPECT_EQ(untouched, 7) << text;
  }
}

TEST(IssuesHtmlTime, RelativeTimesAsTheForgeWritesThem) {
  const std::int64_t now = kIndiaEvening;
  EXPECT_EQ(RelativeTime(now - 30, now), "just now");
  EXPECT_EQ(RelativeTime(now + 30, now), "just now");
  EXPECT_EQ(RelativeTime(now - 60, now), "1 minute ago");
  EXPECT_EQ(RelativeTime(now - 59 * 60, now), "59 minutes ago");
  EXPECT_EQ(RelativeTime(now - 3600, now), "1 hour ago");
  EXPECT_EQ(RelativeTime(now - 3 * 86400, now), "3 days ago");
  EXPECT_EQ(RelativeTime(now - 14 * 86400, now), "2 weeks ago");
  EXPECT_EQ(RelativeTime(now - 95 * 86400, now), "3 months ago");
  EXPECT_EQ(RelativeTime(now - 800 * 86400, now), "2 years ago");
  EXPECT_EQ(RelativeTime(now + 3 * 3600, now), "in 3 hours");
}

TEST(IssuesHtmlTime, TimeElementHoldsTheUtcTimeAndSaysSo) {
  EXPECT_EQ(TimeHtml("2026-01-05T23:30:00.000+0530", kIndiaEvening + 3 * 86400),
            "<time datetime=\"2026-01-05T18:00:00Z\" title=\"2026-01-05 18:00 UTC\">3 days "
            "ago</time>");
  EXPECT_EQ(TimeHtml("2026-01-05T23:45:00.000-0800", kIndiaEvening + 3 * 86400),
            "<time datetime=\"2026-01-06T07:45:00Z\" title=\"2026-01-06 07:45 UTC\">2 days "
            "ago</time>");
  EXPECT_EQ(TimeHtml("<b>soon</b>", 1), "&lt;b&gt;soon&lt;/b&gt;");
}

TEST(IssuesHtmlList, ShowsEveryTimeInUtc) {
  issues::IssuePage page;
  page.issues.push_back(
      MakeIssue("PROJ-1", "2026-01-05T23:30:00.000+0530", "2026-01-05T23:30:00.000+0530"));
  page.issues.push_back(
      MakeIssue("PROJ-2", "2026-01-05T23:45:00.000-0800", "2026-01-05T23:45:00.000-0800"));
  std::string out = ListPage(MakeList(&page));
  EXPECT_EQ(Count(out, "title=\"2026-01-05 18:00 UTC\""), 2u) << out;
  EXPECT_EQ(Count(out, "title=\"2026-01-06 07:45 UTC\""), 2u) << out;
  EXPECT_EQ(out.find("23:30"), std::string::npos);
  EXPECT_EQ(out.find("23:45"), std::string::npos);
  EXPECT_NE(out.find("(times in UTC)</span></caption>"), std::string::npos);
}

TEST(IssuesHtmlList, ClosedIssuesShowWhenTheyWereClosed) {
  issues::IssuePage page;
  jira::Issue done =
      MakeIssue("PROJ-3", "2026-01-01T10:00:00.000+0000", "2026-01-05T18:00:00.000+0000");
  done.status.name = "Done";
  done.resolution = "Done";
  done.raw["fields"]["resolutiondate"] = "2026-01-05T23:30:00.000+0530";
  page.issues.push_back(done);
  page.issues.push_back(
      MakeIssue("PROJ-4", "2026-01-01T10:00:00.000+0000", "2026-01-05T18:00:00.000+0000"));
  std::string out = ListPage(MakeList(&page));
  EXPECT_NE(out.find("Done<span class=\"closed\">Closed <time datetime=\"2026-01-05T18:00:00Z\""),
            std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "class=\"closed\""), 1u);

  DetailView view;
  view.repository = "platform/api";
  view.list_path = "/platform/api/-/integrations/jira/issues";
  view.web_url = "https://jira.example.com";
  view.issue = &done;
  view.now = kIndiaEvening + 60;
  std::string detail = DetailPage(view);
  EXPECT_NE(detail.find("<dt>Closed</dt><dd><time datetime=\"2026-01-05T18:00:00Z\" "
                        "title=\"2026-01-05 18:00 UTC\">1 minute ago</time></dd>"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("Times are in UTC."), std::string::npos);
}

TEST(IssuesHtmlList, LabelsReporterAndAssigneeFilterTheList) {
  issues::IssuePage page;
  jira::Issue issue = MakeIssue("PROJ-2", "2026-01-05T18:00:00.000+0000", "");
  issue.labels = {"frontend", "a&b"};
  issue.assignee = "Alan Turing";
  page.issues.push_back(issue);
  ListView view = MakeList(&page);
  view.state.state = "all";
  view.state.labels = {"ui"};  // kept: a label adds to the filter
  std::string out = ListPage(view);
  const std::string base = "/platform/api/-/integrations/jira/issues";
  EXPECT_NE(out.find("<a class=\"filter\" href=\"" + base +
                     "?state=all&amp;labels%5B%5D=ui&amp;labels%5B%5D=frontend\"><span "
                     "class=\"visually-hidden\">Issues with label </span>frontend</a>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("labels%5B%5D=a%26b\"><span class=\"visually-hidden\">Issues with label "
                     "</span>a&amp;b</a>"),
            std::string::npos);
  EXPECT_NE(out.find("href=\"" + base +
                     "?state=all&amp;labels%5B%5D=ui&amp;author_username=Ada%20Lovelace\"><span "
                     "class=\"visually-hidden\">Issues with reporter </span>Ada Lovelace</a>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("assignee_username=Alan%20Turing\"><span class=\"visually-hidden\">Issues "
                     "with assignee </span>Alan Turing</a>"),
            std::string::npos);
}

TEST(IssuesHtmlList, PageNumbersAroundTheCurrentPage) {
  issues::IssuePage page;
  page.issues.push_back(MakeIssue("PROJ-1", "", ""));
  page.total = 1000;
  page.more = true;
  ListView view = MakeList(&page);
  view.state.page = 5;
  std::string out = ListPage(view);
  std::string numbers;
  for (std::size_t at = out.find("aria-label=\"Page "); at != std::string::npos;
       at = out.find("aria-label=\"Page ", at + 1)) {
    numbers += out.substr(at + 17, out.find('"', at + 17) - at - 17) + " ";
  }
  EXPECT_EQ(numbers, "1 3 4 5 6 7 10 ");
  EXPECT_EQ(Count(out, "class=\"gap\""), 2u);
  EXPECT_NE(out.find("page=5\" aria-label=\"Page 5\" aria-current=\"page\">5</a>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Page 5 of 10 (1000 issues)"), std::string::npos);
  // One page: no numbers; Cloud (no total): none either.
  page.total = 1;
  page.more = false;
  view.state.page = 1;
  EXPECT_EQ(ListPage(view).find("aria-label=\"Page "), std::string::npos);
}

TEST(IssuesHtmlList, LinksToJiraOpenInANewTabAndOfferToCreateAnIssue) {
  issues::IssuePage page;
  page.issues.push_back(MakeIssue("PROJ-1", "", ""));
  std::string out = ListPage(MakeList(&page));
  EXPECT_NE(out.find("<a class=\"external\" href=\"https://jira.example.com/browse/PROJ-1\" "
                     "target=\"_blank\" rel=\"noopener noreferrer\">PROJ-1<span class=\"ext\" "
                     "aria-hidden=\"true\">"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("<a class=\"external\" "
                     "href=\"https://jira.example.com/secure/CreateIssue!default.jspa\" "
                     "target=\"_blank\" rel=\"noopener noreferrer\">Create new issue in Jira<span"),
            std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "target=\"_blank\""), Count(out, "(opens in a new tab)"));
}

TEST(IssuesHtmlList, SkipLinkGoesToTheIssues) {
  issues::IssuePage page;
  page.issues.push_back(MakeIssue("PROJ-1", "", ""));
  for (const issues::IssuePage* result : std::vector<const issues::IssuePage*>{&page, nullptr}) {
    ListView view = MakeList(result);
    view.error = "Jira is down";
    std::string out = ListPage(view);
    EXPECT_NE(out.find("<a class=\"skip\" href=\"#issues\">Skip to the list of issues</a>"),
              std::string::npos);
    std::size_t target = out.find("<div id=\"issues\" tabindex=\"-1\">");
    ASSERT_NE(target, std::string::npos);
    EXPECT_GT(target, out.find("</form>"));  // past the tabs and the filters
    EXPECT_NE(out.find(result ? "PROJ-1" : "Jira is down", target), std::string::npos);
  }
}

TEST(IssuesHtmlDetail, JirasHtmlFitsUnderThePagesHeadings) {
  jira::Issue issue = MakeIssue("PROJ-7", "2026-01-05T18:00:00.000+0000", "");
  issue.rendered_fields = {
      {"description",
       "<h1>Steps</h1><h2>Setup</h2><p><img class=\"emoticon\" "
       "src=\"/images/icons/emoticons/error.png\" alt=\"\"></p>"
       "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
       "<div class=\"code panel\"><pre>make</pre></div><p><img src=\"/secure/attachment/1/a.png\" "
       "alt=\"a.png\"></p>"},
      {"comment", {{"comments", {{{"id", "11"}, {"body", "<h1>Me too</h1><pre>x</pre>"}}}}}}};
  jira::Comment comment;
  comment.id = "11";
  comment.author = "Grace Hopper";
  comment.created = "2026-01-05T23:45:00.000-0800";
  issue.comments.push_back(comment);
  DetailView view;
  view.repository = "platform/api";
  view.list_path = "/platform/api/-/integrations/jira/issues";
  view.web_url = "https://jira.example.com/jira";
  view.issue = &issue;
  view.now = kIndiaEvening + 86400;
  std::string out = DetailPage(view);
  EXPECT_EQ(Count(out, "<h1"), 1u) << out;
  EXPECT_EQ(Count(out, "<h2"), 2u) << out;  // Description, Comments
  EXPECT_NE(out.find("<h3>Steps</h3><h4>Setup</h4><p>\u274C</p>"), std::string::npos) << out;
  EXPECT_NE(out.find("<h3>Me too</h3>"), std::string::npos);
  EXPECT_NE(out.find("<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
                     "aria-label=\"Description, table 1\"><table><tr><th>A</th>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("aria-label=\"Description, code block 1\"><pre>make</pre></div>"),
            std::string::npos);
  EXPECT_NE(out.find("aria-label=\"Comment 1, code block 1\"><pre>x</pre></div>"),
            std::string::npos);
  EXPECT_NE(out.find("href=\"https://jira.example.com/secure/attachment/1/a.png\" "
                     "target=\"_blank\" rel=\"noopener noreferrer\">a.png (image in Jira)"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("<img"), std::string::npos);
  EXPECT_EQ(out.find("<p></p>"), std::string::npos);
  EXPECT_NE(out.find("<span class=\"when\"><time datetime=\"2026-01-06T07:45:00Z\""),
            std::string::npos);
}

TEST(IssuesHtmlPages, ErrorPagesLeadBackToTheList) {
  std::string out =
      MessagePage("Page not found", "No such page.", "/a/b/-/integrations/jira/issues");
  EXPECT_NE(out.find("<a href=\"/a/b/-/integrations/jira/issues\">Back to the Jira issues</a>"),
            std::string::npos)
      << out;
  EXPECT_EQ(MessagePage("Page not found", "No such page.").find("Back to"), std::string::npos);
}

// The stylesheet's promises that no HTML test can see.
TEST(IssuesHtmlStyle, NarrowScreensKeepJirasTablesAndDarkButtonsReadable) {
  const std::string& css = Stylesheet();
  // The card layout at 40rem is the issue list's alone.
  std::size_t narrow = css.find("@media (max-width:40rem){");
  ASSERT_NE(narrow, std::string::npos);
  std::string block = css.substr(narrow, css.find("\n}", narrow) - narrow);
  for (std::size_t line = block.find("\n "); line != std::string::npos;
       line = block.find("\n ", line + 1)) {
    std::string rule = block.substr(line + 2, block.find('{', line) - line - 2);
    for (std::size_t start = 0; start < rule.size();) {
      std::size_t comma = rule.find(',', start);
      std::string selector =
          rule.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      EXPECT_TRUE(selector.starts_with(".issues")) << selector;
      start = comma == std::string::npos ? rule.size() : comma + 1;
    }
  }
  // Keys and times never wrap.
  EXPECT_NE(css.find("time,.issues tbody th{white-space:nowrap}"), std::string::npos);
  // The button's colours in dark mode: at least 4.5:1 (WCAG AA).
  std::size_t dark = css.find("@media (prefers-color-scheme:dark)");
  ASSERT_NE(dark, std::string::npos);
  auto colour = [&](const std::string& name) {
    std::size_t at = css.find(name + ":#", dark);
    EXPECT_NE(at, std::string::npos) << name;
    return at == std::string::npos ? std::string("#000000") : css.substr(at + name.size() + 1, 7);
  };
  auto luminance = [](const std::string& hex) {
    double sum = 0;
    const double weights[] = {0.2126, 0.7152, 0.0722};
    for (int i = 0; i < 3; ++i) {
      double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
      c = c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
      sum += weights[i] * c;
    }
    return sum;
  };
  double a = luminance(colour("--button"));
  double b = luminance(colour("--on-button"));
  double ratio = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
  EXPECT_GE(ratio, 4.5);
  EXPECT_NE(css.find("button{background:var(--button);color:var(--on-button)"), std::string::npos);
}

}  // namespace
}  // namespace jiralink::serve::html
