// Hostile inputs must render in bounded time (each under 2 s, also under
// ASan), and the table guard must leave ordinary tables alone.
#include "jiralink/renderer/pathological_input.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "jiralink/renderer/renderer.h"

namespace jiralink::renderer {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBound = std::chrono::seconds(2);

std::string Repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

struct HostileCase {
  const char* name;
  std::string markdown;
};

class HostileInputTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInputTest, RendersWithinTheTimeBound) {
  RenderOptions options;
  options.web_url = "https://jira.example.com";
  std::unique_ptr<Renderer> renderer;
  ASSERT_TRUE(Renderer::Create(options, &renderer).ok());
  std::string html;
  const auto start = Clock::now();
  Status status = renderer->Render(GetParam().markdown, &html);
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(html.empty());
  EXPECT_LT(elapsed, kBound)
      << GetParam().name << " took "
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, HostileInputTest,
    ::testing::Values(
        HostileCase{"deep_blockquote", Repeat(">", 100000) + " PROJ-1\n"},
        HostileCase{"deep_list", Repeat("- ", 100000) + "PROJ-1\n"},
        HostileCase{"stars", Repeat("*", 100000) + "a\n"},
        HostileCase{"open_brackets", Repeat("[", 100000) + "PROJ-1\n"},
        HostileCase{"link_openers", Repeat("[a](", 50000) + "\n"},
        HostileCase{"nested_links", Repeat("[a", 30000) + Repeat("](b)", 30000) + "\n"},
        HostileCase{"emphasis_nest", Repeat("*a ", 30000) + Repeat(" b*", 30000) + "\n"},
        HostileCase{"backtick_run", Repeat("`", 100000) + "\n"},
        HostileCase{"backtick_lengths",
                    [] {
                      std::string s;
                      for (int i = 1; i < 1500; ++i) s += std::string(i, '`') + "a";
                      return s;
                    }()},
        HostileCase{"megabyte_of_dashes", std::string(2 << 20, '-') + "\n"},
        HostileCase{"dash_lines", Repeat("-\n", 200000)},
        HostileCase{"html_comment_openers", Repeat("<!--", 100000)},
        HostileCase{"keys_everywhere", Repeat("PROJ-1 ", 20000)},
        HostileCase{"table_wide_row", "a|b\n-|-\n" + std::string(40000, '|') + "\n"},
        HostileCase{"table_wide_header", Repeat("|a", 5000) + "|\n" + Repeat("|-", 5000) + "|\n" +
                                             Repeat("|x", 5000) + "|\n"},
        HostileCase{"table_many_cells", "|" + Repeat("a|", 100) + "\n|" + Repeat("-|", 100) + "\n" +
                                            Repeat("x\n", 100000)},
        HostileCase{"many_wide_tables", Repeat(Repeat("|", 1000) + "\n|" + Repeat("-|", 1000) +
                                                   "\n" + Repeat("|", 1000) + "\n\n",
                                               100)}),
    [](const ::testing::TestParamInfo<HostileCase>& param_info) {
      return std::string(param_info.param.name);
    });

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
