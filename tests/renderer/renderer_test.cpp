// Golden tests for the `jira` extension: the exact anchor, every context
// where a key must stay text, the settings that change matching, and safety.
#include "jiralink/renderer/renderer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace jiralink::renderer {
namespace {

constexpr const char* kWebUrl = "https://jira.example.com";

std::string Link(const std::string& key, const std::string& text = "") {
  return "<a href=\"https://jira.example.com/browse/" + key +
         "\" class=\"gfm gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"" + key + "\">" +
         (text.empty() ? key : text) + "</a>";
}

std::string RenderWith(const RenderOptions& options, const std::string& markdown) {
  std::unique_ptr<Renderer> renderer;
  Status status = Renderer::Create(options, &renderer);
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) return "";
  std::string html;
  status = renderer->Render(markdown, &html);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return html;
}

std::string Render(const std::string& markdown) {
  RenderOptions options;
  options.web_url = kWebUrl;
  return RenderWith(options, markdown);
}

TEST(RendererTest, LinksAKeyInText) {
  EXPECT_EQ(Render("Fixes PROJ-12 now"), "<p>Fixes " + Link("PROJ-12") + " now</p>\n");
}

TEST(RendererTest, PunctuationStaysOutsideTheLink) {
  EXPECT_EQ(Render("Issue (JIRA-123.)"), "<p>Issue (" + Link("JIRA-123") + ".)</p>\n");
}

TEST(RendererTest, LinksSeveralKeysAndKeysAtTheEdges) {
  EXPECT_EQ(Render("AB-1 and BC-2, CD-3"),
            "<p>" + Link("AB-1") + " and " + Link("BC-2") + ", " + Link("CD-3") + "</p>\n");
  EXPECT_EQ(Render("A-1"), "<p>A-1</p>\n");  // one letter is not a key
}

TEST(RendererTest, LinksInsideEmphasisHeadingsListsAndTables) {
  EXPECT_EQ(Render("*PROJ-1*"), "<p><em>" + Link("PROJ-1") + "</em></p>\n");
  EXPECT_EQ(Render("# PROJ-2"), "<h1>" + Link("PROJ-2") + "</h1>\n");
  EXPECT_EQ(Render("- PROJ-3"), "<ul>\n<li>" + Link("PROJ-3") + "</li>\n</ul>\n");
  EXPECT_EQ(Render("~~PROJ-4~~"), "<p><del>" + Link("PROJ-4") + "</del></p>\n");
  EXPECT_NE(Render("| a |\n|---|\n| PROJ-5 |\n").find("<td>" + Link("PROJ-5") + "</td>"),
            std::string::npos);
}

TEST(RendererTest, KeepsWordBoundaries) {
  EXPECT_EQ(Render("xPROJ-12 abc-1"), "<p>xPROJ-12 abc-1</p>\n");
  EXPECT_EQ(Render("JIRA-1234A"), "<p>" + Link("JIRA-1234") + "A</p>\n");
}

TEST(RendererTest, SkipsCodeSpansAndCodeBlocks) {
  EXPECT_EQ(Render("`PROJ-8`"), "<p><code>PROJ-8</code></p>\n");
  EXPECT_EQ(Render("```\nPROJ-9\n```\n"), "<pre><code>PROJ-9\n</code></pre>\n");
  EXPECT_EQ(Render("    PROJ-10\n"), "<pre><code>PROJ-10\n</code></pre>\n");
}

TEST(RendererTest, SkipsLinkTextAndImageAlt) {
  EXPECT_EQ(Render("[PROJ-7](http://x.org)"), "<p><a href=\"http://x.org\">PROJ-7</a></p>\n");
  EXPECT_EQ(Render("![PROJ-6](http://x.org/a.png)"),
            "<p><img src=\"http://x.org/a.png\" alt=\"PROJ-6\" /></p>\n");
  EXPECT_EQ(Render("[see *PROJ-5*](http://x.org)"),
            "<p><a href=\"http://x.org\">see <em>PROJ-5</em></a></p>\n");
}

TEST(RendererTest, SkipsAutolinks) {
  EXPECT_EQ(Render("http://x.org/PROJ-14"),
            "<p><a href=\"http://x.org/PROJ-14\">http://x.org/PROJ-14</a></p>\n");
  EXPECT_EQ(Render("www.example.com/PROJ-9"),
            "<p><a href=\"http://www.example.com/PROJ-9\">www.example.com/PROJ-9</a></p>\n");
  EXPECT_EQ(Render("<https://x.org/PROJ-3>"),
            "<p><a href=\"https://x.org/PROJ-3\">https://x.org/PROJ-3</a></p>\n");
}

TEST(RendererTest, EmailAutolinkWins) {
  EXPECT_EQ(Render("PROJ-12@example.com"),
            "<p><a href=\"mailto:PROJ-12@example.com\">PROJ-12@example.com</a></p>\n");
}

TEST(RendererTest, RawHtmlIsOmittedNotLinked) {
  EXPECT_EQ(Render("<code>PROJ-2</code>"),
            "<p><!-- raw HTML omitted -->" + Link("PROJ-2") + "<!-- raw HTML omitted --></p>\n");
  EXPECT_EQ(Render("<div>PROJ-2</div>\n"), "<!-- raw HTML omitted -->\n");
}

TEST(RendererTest, PrefixIsPartOfTheLinkedText) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.matching.prefix = "JIRA#";
  EXPECT_EQ(RenderWith(options, "see JIRA#PROJ-4 not PROJ-5"),
            "<p>see " + Link("PROJ-4", "JIRA#PROJ-4") + " not PROJ-5</p>\n");
}

TEST(RendererTest, CustomRegexDecidesWhatIsAKey) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.matching.regex = "(ABC|XYZ)-\\d+";
  EXPECT_EQ(RenderWith(options, "ABC-1 DEF-2 XYZ-3"),
            "<p>" + Link("ABC-1") + " DEF-2 " + Link("XYZ-3") + "</p>\n");
}

TEST(RendererTest, CustomRegexWithoutADashLinksToo) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.matching.regex = "T\\d+";
  EXPECT_EQ(RenderWith(options, "see T42."), "<p>see " + Link("T42") + ".</p>\n");
  EXPECT_EQ(RenderWith(options, "not PROJ-1"), "<p>not PROJ-1</p>\n");
}

TEST(RendererTest, TextAroundKeysIsEscapedAsElsewhere) {
  EXPECT_EQ(Render("1 < 2 & \"AB-1\" 'AB-2'>"),
            "<p>1 &lt; 2 &amp; &quot;" + Link("AB-1") + "&quot; '" + Link("AB-2") + "'&gt;</p>\n");
  EXPECT_EQ(Render("a & b"), "<p>a &amp; b</p>\n");
}

TEST(RendererTest, AmpersandInWebUrlIsEscapedInTheHref) {
  RenderOptions options;
  options.web_url = "https://x.org/j&k";
  EXPECT_EQ(RenderWith(options, "AB-1"),
            "<p><a href=\"https://x.org/j&amp;k/browse/AB-1\" class=\"gfm gfm-issue\" "
            "title=\"Issue in Jira\" data-external-issue=\"AB-1\">AB-1</a></p>\n");
}

TEST(RendererTest, BadRegexIsRefusedWithTheSetting) {
  RenderOptions options;
  options.matching.regex = "(unclosed";
  std::unique_ptr<Renderer> renderer;
  Status status = Renderer::Create(options, &renderer);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("[matching]"), std::string::npos) << status.message();
}

TEST(RendererTest, NoWebUrlLeavesTextUnchanged) {
  RenderOptions options;
  EXPECT_EQ(RenderWith(options, "Fixes PROJ-12"), "<p>Fixes PROJ-12</p>\n");
  options.web_url = "ftp://jira.example.com";
  EXPECT_EQ(RenderWith(options, "Fixes PROJ-12"), "<p>Fixes PROJ-12</p>\n");
}

TEST(RendererTest, TrailingSlashOfWebUrlIsIgnored) {
  RenderOptions options;
  options.web_url = "https://jira.example.com/";
  EXPECT_EQ(RenderWith(options, "PROJ-1"), "<p>" + Link("PROJ-1") + "</p>\n");
}

TEST(RendererTest, HardbreaksOption) {
  RenderOptions options;
  options.hardbreaks = true;
  EXPECT_EQ(RenderWith(options, "a\nb"), "<p>a<br />\nb</p>\n");
}

TEST(RendererTest, OversizedInputIsRefused) {
  RenderOptions options;
  options.max_bytes = 10;
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string html;
  Status status = renderer->Render("12345678901", &html);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("max_bytes"), std::string::npos) << status.message();
  EXPECT_TRUE(renderer->Render("1234567890", &html).ok());
}

TEST(RendererTest, FingerprintChangesWithEverySettingThatChangesOutput) {
  auto fingerprint = [](const RenderOptions& options) {
    std::unique_ptr<Renderer> renderer;
    EXPECT_TRUE(Renderer::Create(options, &renderer).ok());
    return renderer->fingerprint();
  };
  RenderOptions base;
  base.web_url = kWebUrl;
  RenderOptions url = base;
  url.web_url = "https://new.example.com";
  RenderOptions regex = base;
  regex.matching.regex = "X-\\d+";
  RenderOptions prefix = base;
  prefix.matching.prefix = "#";
  RenderOptions breaks = base;
  breaks.hardbreaks = true;
  EXPECT_EQ(fingerprint(base), fingerprint(base));
  for (const RenderOptions& other : {url, regex, prefix, breaks}) {
    EXPECT_NE(fingerprint(base), fingerprint(other));
  }
}

// --- XSS attempts -----------------------------------------------------------

TEST(RendererSafetyTest, DangerousLinkAndImageUrlsAreEmptied) {
  EXPECT_EQ(Render("[x](javascript:alert(1))"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("[x](JaVaScRiPt:alert(1))"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("[x](vbscript:msgbox)"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("[x](data:text/html,<script>)"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("![x](data:image/png;base64,AAAA)"), "<p><img src=\"\" alt=\"x\" /></p>\n");
  EXPECT_EQ(Render("<javascript:alert(1)>"), "<p><a href=\"\">javascript:alert(1)</a></p>\n");
  EXPECT_EQ(Render("[x]: javascript:alert(1)\n\n[x]"), "<p><a href=\"\">x</a></p>\n");
  // Browsers skip leading white space and control bytes in a URL; so does the check.
  EXPECT_EQ(Render("[x](< data:text/html,x>)"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("[x](<java&#9;script:alert(1)>)"), "<p><a href=\"\">x</a></p>\n");
  EXPECT_EQ(Render("![x](DATA:image/gif;base64,AAAA)"), "<p><img src=\"\" alt=\"x\" /></p>\n");
}

TEST(RendererSafetyTest, ScriptTagsAreNotPassedThrough) {
  std::string html = Render("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)>");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos) << html;
}

TEST(RendererSafetyTest, AttributeBreakingKeyFromCustomRegexIsEscaped) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.matching.regex = R"re(K"[^ ]*)re";
  std::string html = RenderWith(options, R"md(K"><script>x K"onmouseover=alert(1))md");
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"https://jira.example.com/browse/K%22onmouseover%3Dalert%281%29\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("data-external-issue=\"K&quot;onmouseover=alert(1)\""), std::string::npos)
      << html;
}

TEST(RendererSafetyTest, KeyCannotAddAPathOrScheme) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.matching.regex = R"re(Z[^ ]+)re";
  std::string html = RenderWith(options, "Z/../../x?y#z");
  EXPECT_NE(html.find("href=\"https://jira.example.com/browse/Z%2F..%2F..%2Fx%3Fy%23z\""),
            std::string::npos)
      << html;
}

TEST(RendererSafetyTest, WebUrlWithQuotesOrScriptIsRejected) {
  for (const char* url : {"https://x.org/\"><script>", "javascript:alert(1)", "https://x.org/'a",
                          "https://x.org/a b", "https:///path", "data:text/html,x"}) {
    EXPECT_FALSE(IsUsableWebUrl(url)) << url;
    RenderOptions options;
    options.web_url = url;
    EXPECT_EQ(RenderWith(options, "PROJ-1"), "<p>PROJ-1</p>\n") << url;
  }
  EXPECT_TRUE(IsUsableWebUrl("https://jira.example.com"));
  EXPECT_TRUE(IsUsableWebUrl("HTTP://jira.example.com:8080/jira"));
}

TEST(RendererTest, PlainCmarkBaselineLinksNothing) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.jira_extension = false;
  EXPECT_EQ(RenderWith(options, "PROJ-1 | x"), "<p>PROJ-1 | x</p>\n");
}

TEST(RendererTest, LinksAtMostMaxLinksPerDocument) {
  RenderOptions options;
  options.web_url = kWebUrl;
  options.max_links = 2;
  // The budget is per document: it spans paragraphs and starts again with the next render.
  const std::string html = "<p>" + Link("AB-1") + "</p>\n<p>" + Link("AB-2") + " AB-3</p>\n";
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string out;
  ASSERT_TRUE(renderer->Render("AB-1\n\nAB-2 AB-3", &out).ok());
  EXPECT_EQ(out, html);
  ASSERT_TRUE(renderer->Render("AB-1\n\nAB-2 AB-3", &out).ok());
  EXPECT_EQ(out, html);
}

}  // namespace
}  // namespace jiralink::renderer
