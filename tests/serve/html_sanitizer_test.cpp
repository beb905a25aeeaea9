// SanitizeHtml against hostile and malformed markup: what is kept, what is
// dropped, and that nothing executable survives.
#include "jiralink/serve/html_sanitizer.h"

#include <gtest/gtest.h>

#include <string>

namespace jiralink::serve {
namespace {

// No way to run script or load anything is left in `html`.
void ExpectInert(const std::string& html) {
  std::string lower;
  for (char c : html)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* bad : {"<script", "<style", "<iframe", "<object", "<embed", "<svg", "<img",
                          "<math", "javascript:", "vbscript:", "data:", " on", "style=", "srcdoc",
                          "<meta", "<link", "<base", "<form", "<input"}) {
    EXPECT_EQ(lower.find(bad), std::string::npos) << "found \"" << bad << "\" in: " << html;
  }
}

TEST(HtmlSanitizer, KeepsTheFormattingJiraRenders) {
  EXPECT_EQ(SanitizeHtml("<p>Hello <strong>bold</strong> and <em>it</em></p>"),
            "<p>Hello <strong>bold</strong> and <em>it</em></p>");
  EXPECT_EQ(SanitizeHtml("<ul><li>a</li><li>b</li></ul>"), "<ul><li>a</li><li>b</li></ul>");
  EXPECT_EQ(SanitizeHtml("<pre>x &lt; y</pre>"), "<pre>x &lt; y</pre>");
  EXPECT_EQ(SanitizeHtml("<p>one<br>two</p>"), "<p>one<br>two</p>");
  EXPECT_EQ(SanitizeHtml("<h3>Title</h3><blockquote><p>q</p></blockquote>"),
            "<h3>Title</h3><blockquote><p>q</p></blockquote>");
  EXPECT_EQ(SanitizeHtml("<table><tr><th colspan=\"2\">h</th></tr><tr><td>c</td></tr></table>"),
            "<table><tr><th colspan=\"2\">h</th></tr><tr><td>c</td></tr></table>");
}

TEST(HtmlSanitizer, KeepsWebLinksWithSafeRel) {
  EXPECT_EQ(
      SanitizeHtml("<a href=\"https://example.com/x?a=1&amp;b=2\" class=\"x\">go</a>"),
      "<a href=\"https://example.com/x?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">go</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\"mailto:a@example.com\">mail</a>"),
            "<a href=\"mailto:a@example.com\" rel=\"noopener noreferrer nofollow\">mail</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\"/browse/PROJ-1\">PROJ-1</a>", "https://jira.example.com"),
            "<a href=\"https://jira.example.com/browse/PROJ-1\" "
            "rel=\"noopener noreferrer nofollow\">PROJ-1</a>");
}

TEST(HtmlSanitizer, DropsScriptsAndStylesWithTheirContent) {
  std::string out = SanitizeHtml("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>");
  EXPECT_EQ(out, "<p>a</p><p>b</p>");
  out = SanitizeHtml("<SCRIPT SRC=//evil.example/x.js></SCRIPT>text");
  EXPECT_EQ(out.find("evil"), std::string::npos) << out;
  ExpectInert(out);
}

TEST(HtmlSanitizer, DropsEventHandlersAndImages) {
  std::string out = SanitizeHtml("<img src=x onerror=alert(1)><p onclick=\"alert(2)\">t</p>");
  EXPECT_EQ(out, "<p>t</p>");
  out = SanitizeHtml("<p style=\"background:url(javascript:alert(1))\" id=x>s</p>");
  EXPECT_EQ(out, "<p>s</p>");
}

TEST(HtmlSanitizer, RefusesScriptUrlsHoweverTheyAreWritten) {
  for (const char* href :
       {"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "java\tscript:alert(1)", "jav&#x61;script:alert(1)", "jav&#97;script:alert(1)",
        "&#106;avascript:alert(1)", "javascript&colon;alert(1)", "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "//evil.example/",
        "\\\\evil.example"}) {
    std::string out =
        SanitizeHtml(std::string("<a href=\"") + href + "\">x</a>", "https://jira.example.com");
    EXPECT_EQ(out, "x") << href;
  }
}

TEST(HtmlSanitizer, ResolvesMalformedAndNestedMarkupSafely) {
  ExpectInert(SanitizeHtml("<p><b><i>unclosed"));
  EXPECT_EQ(SanitizeHtml("<p><b><i>unclosed"), "<p><b><i>unclosed</i></b></p>");
  ExpectInert(SanitizeHtml("<scr<script>ipt>alert(1)</script>"));
  ExpectInert(SanitizeHtml("<<script>script>alert(1)<</script>/script>"));
  ExpectInert(SanitizeHtml("<p title=\"a\" <img src=x onerror=alert(1)>>t</p>"));
  ExpectInert(SanitizeHtml("<a href=\"https://ok\" onmouseover=\"alert(1)\">x</a>"));
  ExpectInert(SanitizeHtml("<!--<script>alert(1)</script>-->"));
  ExpectInert(SanitizeHtml("<![CDATA[<script>alert(1)</script>]]>"));
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "<div>";
  deep += "<script>alert(1)</script>";
  ExpectInert(SanitizeHtml(deep));
}

TEST(HtmlSanitizer, EntitiesStayText) {
  // Decoded by the parser, escaped again on output: never markup.
  EXPECT_EQ(SanitizeHtml("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  EXPECT_EQ(SanitizeHtml("<p>&#60;img src=x onerror=alert(1)&#62;</p>"),
            "<p>&lt;img src=x onerror=alert(1)&gt;</p>");
  EXPECT_EQ(SanitizeHtml("<a href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\">l</a>"),
            "<a href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\" "
            "rel=\"noopener noreferrer nofollow\">l</a>");
}

TEST(HtmlSanitizer, DropsSvgMathAndEmbeddedDocuments) {
  EXPECT_EQ(SanitizeHtml("<p>a</p><svg><script>alert(1)</script><a xlink:href=\"javascript:x\">"
                         "l</a></svg><p>b</p>"),
            "<p>a</p><p>b</p>");
  EXPECT_EQ(SanitizeHtml("<math><mtext><style><img src=x onerror=alert(1)></style></mtext></math>"),
            "");
  ExpectInert(SanitizeHtml("<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>"));
  ExpectInert(SanitizeHtml("<object data=\"javascript:alert(1)\"></object><embed src=x>"));
  ExpectInert(
      SanitizeHtml("<form action=\"https://evil\"><input name=a><button>b</button></form>"));
  ExpectInert(SanitizeHtml("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">"));
  ExpectInert(SanitizeHtml("<base href=\"https://evil/\"><link rel=stylesheet href=x>"));
}

TEST(HtmlSanitizer, UnwrapsUnknownElementsKeepingTheirText) {
  EXPECT_EQ(SanitizeHtml("<p><span class=\"x\" style=\"color:red\">red</span> <font>f</font></p>"),
            "<p>red f</p>");
  EXPECT_EQ(SanitizeHtml("<custom-el onclick=\"x\">kept</custom-el>"), "kept");
}

TEST(HtmlSanitizer, EmptyAndPlainText) {
  EXPECT_EQ(SanitizeHtml(""), "");
  EXPECT_EQ(SanitizeHtml("just text & more"), "<p>just text &amp; more</p>");
}

TEST(HtmlSanitizer, EscapeHtmlEscapesEveryMarkupCharacter) {
  EXPECT_EQ(EscapeHtml("<img src=x onerror=\"alert('1')\">&"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;");
}

}  // namespace
}  // namespace jiralink::serve
