// SanitizeHtml against hostile and malformed markup: what is kept, what is
// dropped, and that nothing executable survives.
#include "jiralink/serve/html_sanitizer.h"

#include <gtest/gtest.h>

#include <string>

#include "jiralink/core/text.h"

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

TEST(HtmlSanitizer, DropsEventHandlersAndWritesNoImage) {
  // An image whose src is no link becomes its text; its handler is gone.
  std::string out = SanitizeHtml("<img src=x onerror=alert(1)><p onclick=\"alert(2)\">t</p>");
  EXPECT_EQ(out, "Image in Jira<p>t</p>");
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

// What Jira's wiki renderer makes of !shot.png! (Server and Cloud) and of a
// thumbnail: never an <img> (the browser would fetch Jira's attachment), never
// an empty paragraph, never a link without a name.
TEST(HtmlSanitizer, ImagesBecomeTheirAltTextOrALinkToJira) {
  const std::string origin = "https://jira.example.com";
  std::string out = SanitizeHtml(
      "<p><span class=\"image-wrap\" style=\"\"><img src=\"/secure/attachment/10100/shot.png\" "
      "style=\"border: 0px solid black\" /></span></p>",
      origin);
  EXPECT_EQ(
      out,
      "<p><a class=\"external image\" href=\"https://jira.example.com/secure/attachment/10100/"
      "shot.png\" target=\"_blank\" rel=\"noopener noreferrer\">Image in Jira<span "
      "class=\"ext\" aria-hidden=\"true\">\u2197</span><span class=\"visually-hidden\"> "
      "(opens in a new tab)</span></a></p>");
  out = SanitizeHtml(
      "<p><img src=\"https://jira.example.com/rest/api/3/attachment/content/1\" "
      "alt=\"  diagram.png \"></p>",
      origin);
  EXPECT_NE(out.find(">diagram.png (image in Jira)<span"), std::string::npos) << out;
  // A thumbnail inside Jira's link to the attachment: the link keeps a name,
  // and no link is nested in it.
  out = SanitizeHtml(
      "<p><a href=\"/secure/attachment/10100/shot.png\" title=\"shot.png\"><img "
      "src=\"/secure/thumbnail/10100/_thumb_10100.png\"></a></p>",
      origin);
  EXPECT_EQ(out,
            "<p><a href=\"https://jira.example.com/secure/attachment/10100/shot.png\" "
            "rel=\"noopener noreferrer nofollow\" title=\"shot.png\">Image in Jira</a></p>");
  // Without a usable src: the text alone.
  EXPECT_EQ(SanitizeHtml("<p><img src=\"javascript:alert(1)\" alt=\"chart\"></p>", origin),
            "<p>chart (image in Jira)</p>");
  for (const std::string& html : {out, SanitizeHtml("<p><img src=x></p>", origin)}) {
    EXPECT_EQ(html.find("<img"), std::string::npos) << html;
    EXPECT_EQ(html.find("<p></p>"), std::string::npos) << html;
  }
}

TEST(HtmlSanitizer, JiraEmoticonsBecomeEmoji) {
  // (x) (/) (!) as Jira Server renders them; Cloud's absolute src too.
  std::string out = SanitizeHtml(
      "<p>Failed <img class=\"emoticon\" src=\"/images/icons/emoticons/error.png\" height=\"16\" "
      "width=\"16\" align=\"absmiddle\" alt=\"\" border=\"0\"/> fixed "
      "<img class=\"emoticon\" src=\"https://x.atlassian.net/images/icons/emoticons/check.png\" "
      "alt=\"\"/> careful <img class=\"emoticon\" src=\"/images/icons/emoticons/warning.png\"/>"
      "</p>",
      "https://jira.example.com");
  EXPECT_EQ(out, "<p>Failed \u274C fixed \u2705 careful \u26A0\uFE0F</p>");
  // An emoticon we do not know: its alt text; alone in a paragraph without
  // one, the paragraph goes.
  EXPECT_EQ(SanitizeHtml("<p><img class=\"emoticon\" src=\"/images/icons/emoticons/new.png\" "
                         "alt=\"(new)\"></p><p><img class=\"emoticon\" "
                         "src=\"/images/icons/emoticons/other.png\"></p>"),
            "<p>(new)</p>");
}

TEST(HtmlSanitizer, EmptyParagraphsAndNamelessLinksAreDropped) {
  EXPECT_EQ(SanitizeHtml("<p>a</p><p> <script>x</script>\xC2\xA0</p><p><br></p>"),
            "<p>a</p><p><br></p>");
  EXPECT_EQ(SanitizeHtml("<p>see <a href=\"https://x.example/\"><video src=v></video></a>.</p>"),
            "<p>see .</p>");
}

TEST(HtmlSanitizer, ShiftsHeadingsBelowThePagesOwn) {
  SanitizeOptions options;
  options.heading_shift = 2;
  EXPECT_EQ(SanitizeHtml("<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4><h5>e</h5><h6>f</h6>", options),
            "<h3>a</h3><h4>b</h4><h5>c</h5><h6>d</h6><h6>e</h6><h6>f</h6>");
  EXPECT_EQ(SanitizeHtml("<h1>a</h1>"), "<h1>a</h1>");  // off by default
}

TEST(HtmlSanitizer, TablesAndCodeBlocksGetNamedKeyboardScrollRegions) {
  SanitizeOptions options;
  options.region_label = "Comment 2";
  EXPECT_EQ(SanitizeHtml("<table><tr><th>h</th></tr></table><pre>x</pre><table><tr><td>c</td>"
                         "</tr></table>",
                         options),
            "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Comment 2, table "
            "1\"><table><tr><th>h</th></tr></table></div>"
            "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Comment 2, code "
            "block 1\"><pre>x</pre></div>"
            "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Comment 2, table "
            "2\"><table><tr><td>c</td></tr></table></div>");
  options.region_label = "<\"x\">";  // escaped like any attribute
  EXPECT_NE(SanitizeHtml("<pre>x</pre>", options).find("aria-label=\"&lt;&quot;x&quot;&gt;, code"),
            std::string::npos);
}

TEST(HtmlSanitizer, ExternalLinksOpenInANewTabAndSaySo) {
  EXPECT_EQ(ExternalLinkHtml("https://j.example/browse/A-1?a=1&b=\"", "A-1 <b>"),
            "<a class=\"external\" href=\"https://j.example/browse/A-1?a=1&amp;b=&quot;\" "
            "target=\"_blank\" rel=\"noopener noreferrer\">A-1 &lt;b&gt;<span class=\"ext\" "
            "aria-hidden=\"true\">\u2197</span><span class=\"visually-hidden\"> (opens in a new "
            "tab)</span></a>");
}

TEST(HtmlSanitizer, PlainTextIsEscapedWithTheOneHtmlEscape) {
  EXPECT_EQ(HtmlEscape("<img src=x onerror=\"alert('1')\">&"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;");
}

}  // namespace
}  // namespace jiralink::serve
