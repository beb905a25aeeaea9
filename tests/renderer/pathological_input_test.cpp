// The guards against cmark-gfm 0.29's quadratic shapes: oversized tables
// become text and ordinary tables are left alone; unclosed raw-HTML openers
// are bounded.
#include "jiralink/renderer/pathological_input.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "jiralink/renderer/filter_input.h"
#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {
namespace {

std::string Repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

std::string Render(const std::string& markdown) {
  RenderOptions options;
  options.web_url = "https://jira.example.com";
  std::unique_ptr<Renderer> renderer;
  EXPECT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string html;
  Status status = renderer->Render(markdown, &html);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return html;
}

// Time and memory of hostile inputs are measured on whole release-build
// processes: tests/cli/render_limits_test.cpp.

TEST(InlineHtmlScanBoundTest, ClosedOpenersCostTheirOwnLength) {
  EXPECT_EQ(InlineHtmlScanBound("a <!-- c --> b <?x?> <![CDATA[d]]> <!DOCTYPE html>", 1000),
            std::string_view("<!-- c ").size() + std::string_view("<?x").size() +
                std::string_view("<![CDATA[d").size() + std::string_view("<!DOCTYPE html").size());
  EXPECT_EQ(InlineHtmlScanBound("no html here, a < b and <!- x", 1000), 0u);
}

TEST(InlineHtmlScanBoundTest, UnclosedOpenersCostTheRestOfTheInput) {
  // Each opener may scan to the end: the bound is quadratic in their count.
  const std::string openers = "a" + Repeat("<?", 1000);
  EXPECT_EQ(InlineHtmlScanBound(openers, SIZE_MAX), 1000u * 1001u);   // 2000 + 1998 + ... + 2
  EXPECT_GT(InlineHtmlScanBound(openers, 5000), 5000u);               // stops past the limit
  EXPECT_EQ(InlineHtmlScanBound("<!A <!b <!1", SIZE_MAX), 11u + 7u);  // `<!` + digit is no opener
}

TEST(InlineHtmlScanBoundTest, OrdinaryDocumentsStayFarBelowTheLimit) {
  // 100 fenced code blocks of PHP, none closing its `<?php`, in about 1 MiB.
  const std::string block = "```php\n<?php echo 1;\n```\n\n" + std::string(10000, 'x') + "\n\n";
  EXPECT_LT(InlineHtmlScanBound(Repeat(block, 100), kMaxInlineHtmlScanBytes),
            kMaxInlineHtmlScanBytes / 8);
}

TEST(InlineHtmlScanBoundTest, InputOverTheBoundRendersAsEscapedText) {
  const std::string markdown = "PROJ-1 <b>" + Repeat("<![CDATA[", 20000);
  ASSERT_GT(InlineHtmlScanBound(markdown, kMaxInlineHtmlScanBytes), kMaxInlineHtmlScanBytes);
  EXPECT_TRUE(Render(markdown) == RenderPlainText(markdown));
  EXPECT_EQ(Render("x <![CDATA[ y ]]>"), "<p>x <!-- raw HTML omitted --></p>\n");
}

TEST(WwwAutolinkScanBoundTest, CountsTheRunUpToWhiteSpaceOfEachWww) {
  EXPECT_EQ(WwwAutolinkScanBound("see www.a.com now\nwww.b.org", SIZE_MAX), 9u + 9u);
  EXPECT_EQ(WwwAutolinkScanBound("no links", SIZE_MAX), 0u);
  // Overlapping runs: each "www." reads on to the same space.
  EXPECT_EQ(WwwAutolinkScanBound("www.www. x", SIZE_MAX), 8u + 4u);
  // The fuzz finding: quadratic without white space.
  EXPECT_GT(WwwAutolinkScanBound(Repeat("www.a_", 20000), kMaxWwwAutolinkScanBytes),
            kMaxWwwAutolinkScanBytes);
  // Ordinary text with many links stays far below.
  EXPECT_LT(WwwAutolinkScanBound(Repeat("see www.example.com/x for it\n", 30000), SIZE_MAX),
            1u << 20);
}

TEST(EmailAutolinkCopyBoundTest, CountsTheRestOfTheLineOfEachAddress) {
  EXPECT_EQ(EmailAutolinkCopyBound("a@b.co x\nc@d.co", SIZE_MAX), 7u + 5u);
  EXPECT_EQ(EmailAutolinkCopyBound("no address", SIZE_MAX), 0u);
  // 1,000 addresses before 256 KiB on one line: cmark-gfm would copy ~256 MB.
  const std::string line = Repeat("a@b.co ", 1000) + std::string(1 << 18, 'x');
  EXPECT_GT(EmailAutolinkCopyBound(line, kMaxEmailAutolinkCopyBytes), kMaxEmailAutolinkCopyBytes);
  EXPECT_TRUE(Render(line) == RenderPlainText(line));
  // One address per line, however many lines, is cheap.
  EXPECT_LT(EmailAutolinkCopyBound(Repeat("mail a@b.co\n", 100000), SIZE_MAX), 1u << 20);
}

TEST(NeutraliseTablesTest, OrdinaryTablesAreLeftAlone) {
  std::string rewritten;
  EXPECT_FALSE(NeutraliseTables("| a | b |\n|---|:-:|\n| 1 | 2 |\n", TableLimits{}, &rewritten));
  EXPECT_FALSE(NeutraliseTables("no table - here | at all\n", TableLimits{}, &rewritten));
}

TEST(NeutraliseTablesTest, EscapesTheDelimiterRowOfAnOversizedTable) {
  TableLimits limits;
  limits.max_cells = 4;
  std::string rewritten;
  ASSERT_TRUE(NeutraliseTables("a|b\n-|-\n1|2\n3|4\n\nc|d\n-|-\n", limits, &rewritten));
  // The first table (2 x 3 cells) is over the budget; the second fits.
  EXPECT_EQ(rewritten, "a|b\n-\\|-\n1|2\n3|4\n\nc|d\n-|-\n");
}

TEST(NeutraliseTablesTest, NeutralisedTableRendersAsTextWithNothingLost) {
  RenderOptions options;
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string markdown = "a|b\n-|-\n" + std::string(300, '|') + "\n";
  std::string html;
  ASSERT_TRUE(renderer->Render(markdown, &html).ok());
  EXPECT_EQ(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find(std::string(300, '|')), std::string::npos);
}

}  // namespace
}  // namespace jiralink::renderer
