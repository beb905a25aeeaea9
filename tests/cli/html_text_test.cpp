// The HTML-to-text of `issues show` (cli/issues/html_text.h).
#include "issues/html_text.h"

#include <gtest/gtest.h>

namespace jiralink::cli {
namespace {

TEST(HtmlTextTest, ParagraphsListsLinksAndEntities) {
  std::string html =
      "<p>First &amp; <b>bold</b>.</p><p>Second<br/>line</p>"
      "<ul><li>one</li><li>two</li></ul>"
      "<p>See <a href=\"https://x.test/a?b=1&amp;c=2\" class=\"external\">the docs</a> and "
      "<a href=\"https://y.test\">https://y.test</a>&#33; &#x263A;</p>"
      "<script>alert(1)</script><!-- a > b -->";
  EXPECT_EQ(HtmlToText(html),
            "First & bold.\n\nSecond\nline\n\n- one\n- two\n\n"
            "See the docs <https://x.test/a?b=1&c=2> and https://y.test! \xE2\x98\xBA");
}

TEST(HtmlTextTest, PreformattedTextKeepsItsSpaces) {
  EXPECT_EQ(HtmlToText("<p>code:</p><pre>a  =  1\n  b</pre>"), "code:\n\na  =  1\n  b");
}

TEST(HtmlTextTest, BrokenHtmlDoesNotCrash) {
  EXPECT_EQ(HtmlToText("a < b & c"), "a");  // the rest is an unfinished tag
  EXPECT_EQ(HtmlToText("x &bogus; &#xZZ; y"), "x &bogus; &#xZZ; y");
  EXPECT_EQ(HtmlToText(""), "");
}

TEST(HtmlTextTest, TagNamesAreReadInAnyCase) {
  EXPECT_EQ(HtmlToText("<P>one</P><UL><LI>two</LI></UL><SCRIPT>x</SCRIPT>"), "one\n\n- two");
}

}  // namespace
}  // namespace jiralink::cli
