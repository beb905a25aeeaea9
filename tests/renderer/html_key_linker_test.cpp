// Renderer::LinkKeysInHtml, cgit's commit-filter: keys linked in text that is
// already HTML, and not one other byte changed.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {
namespace {

std::string Link(const std::string& key) {
  return "<a href=\"https://jira.example.com/browse/" + key +
         "\" class=\"gfm gfm-issue\" title=\"Issue in Jira\" data-external-issue=\"" + key + "\">" +
         key + "</a>";
}

std::string LinkIn(const std::string& html, RenderOptions options = {}) {
  if (options.web_url.empty()) options.web_url = "https://jira.example.com";
  std::unique_ptr<Renderer> renderer;
  Status status = Renderer::Create(options, &renderer);
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::string out = "unchanged";
  if (status.ok()) renderer->LinkKeysInHtml(html, &out);
  return out;
}

TEST(HtmlKeyLinkerTest, LinksKeysLikeTheMarkdownRenderer) {
  EXPECT_EQ(LinkIn("Fix PROJ-7 and ABC-12."),
            "Fix " + Link("PROJ-7") + " and " + Link("ABC-12") + ".");
  EXPECT_EQ(LinkIn("PROJ-7"), Link("PROJ-7"));
  // The same anchor as Render() writes for the same key.
  std::unique_ptr<Renderer> renderer;
  RenderOptions options;
  options.web_url = "https://jira.example.com";
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string markdown_html;
  ASSERT_TRUE(renderer->Render("PROJ-7", &markdown_html).ok());
  EXPECT_EQ(markdown_html, "<p>" + LinkIn("PROJ-7") + "</p>\n");
}

TEST(HtmlKeyLinkerTest, EscapedTextIsNeitherEscapedAgainNorUnescaped) {
  const std::string escaped = "&lt;b&gt;x&lt;/b&gt; &amp; \"q\" 'a' &#39; &#x27; &nbsp; a & b";
  EXPECT_EQ(LinkIn(escaped), escaped);
  EXPECT_EQ(LinkIn("&lt;PROJ-7&gt;&amp;ABC-12"),
            "&lt;" + Link("PROJ-7") + "&gt;&amp;" + Link("ABC-12"));
}

TEST(HtmlKeyLinkerTest, TagsReferencesAndExistingLinksAreLeftWhole) {
  EXPECT_EQ(LinkIn("<span title=\"PROJ-1\">x</span>"), "<span title=\"PROJ-1\">x</span>");
  EXPECT_EQ(LinkIn("<a href=\"/c/PROJ-2\">PROJ-2</a> PROJ-3"),
            "<a href=\"/c/PROJ-2\">PROJ-2</a> " + Link("PROJ-3"));
  EXPECT_EQ(LinkIn("<A HREF=x><b>PROJ-2</b></A>"), "<A HREF=x><b>PROJ-2</b></A>");
  // A reference-like run with a key in it is no reference: the key is text.
  EXPECT_EQ(LinkIn("&PROJ-4;"), "&" + Link("PROJ-4") + ";");
  EXPECT_EQ(LinkIn("&ABC;"), "&ABC;");
  // '<' without '>' is text, and a long run of them stays linear.
  EXPECT_EQ(LinkIn("a < PROJ-5"), "a < " + Link("PROJ-5"));
  const std::string run(200000, '<');
  EXPECT_EQ(LinkIn(run), run);
}

TEST(HtmlKeyLinkerTest, WithoutAWebUrlNothingChanges) {
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(RenderOptions{}, &renderer).ok());
  std::string out;
  renderer->LinkKeysInHtml("PROJ-1 &amp;", &out);
  EXPECT_EQ(out, "PROJ-1 &amp;");
}

TEST(HtmlKeyLinkerTest, LinksAtMostMaxLinks) {
  RenderOptions options;
  options.max_links = 2;
  EXPECT_EQ(LinkIn("AB-1 AB-2 AB-3 AB-4", options),
            Link("AB-1") + " " + Link("AB-2") + " AB-3 AB-4");
}

}  // namespace
}  // namespace jiralink::renderer
