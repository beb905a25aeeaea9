// Reading security reports in the forge's public JSON schema.
#include "jiralink/core/security_report.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace jiralink::vulnerability {
namespace {

std::string ReportPath(const std::string& name) {
  return testing::SourceDir() + "/tests/data/reports/" + name;
}

// The stored report `path`, parsed as `jiralink vulnerability create` does.
Status ReadSecurityReport(const std::string& path, SecurityReport* out) {
  return ParseSecurityReport(testing::ReadFile(path), path, out);
}

TEST(SecurityReportTest, ReadsASastReport) {
  SecurityReport report;
  Status status = ReadSecurityReport(ReportPath("gl-sast-report.json"), &report);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(report.version, "15.0.6");
  EXPECT_EQ(report.source.scanner_name, "Semgrep");
  EXPECT_EQ(report.source.scan_type, "sast");
  ASSERT_EQ(report.findings.size(), 3u);
  const Finding& xss = report.findings[0];
  EXPECT_EQ(xss.id, "6d1e7c2a0b7f4c6f9b1a3e5d7c9f1a2b");
  EXPECT_EQ(xss.severity, "High");
  EXPECT_EQ(xss.location.file, "app/views.py");
  EXPECT_EQ(xss.location.start_line, 42);
  ASSERT_EQ(xss.identifiers.size(), 2u);
  EXPECT_EQ(xss.identifiers[1].name, "CWE-79");
  EXPECT_EQ(xss.identifiers[1].url, "https://cwe.mitre.org/data/definitions/79.html");
  EXPECT_EQ(report.findings[1].location.end_line, 9);
}

TEST(SecurityReportTest, ReadsADependencyScanningReport) {
  SecurityReport report;
  ASSERT_TRUE(ReadSecurityReport(ReportPath("gl-dependency-scanning-report.json"), &report).ok());
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(LocationText(report.findings[0].location), "Gemfile.lock (rack 2.2.3)");
  EXPECT_EQ(report.source.scanner_name, "Gemnasium");
}

TEST(SecurityReportTest, SyntaxErrorNamesFileLineAndColumn) {
  SecurityReport report;
  std::string path = ReportPath("malformed-syntax.json");
  Status status = ReadSecurityReport(path, &report);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(status.message().starts_with(path + ":4:")) << status.message();
  EXPECT_NE(status.message().find("not valid JSON"), std::string::npos);
}

TEST(SecurityReportTest, MissingRequiredFieldNamesItsPath) {
  SecurityReport report;
  Status status = ReadSecurityReport(ReportPath("missing-location.json"), &report);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing-location.json: vulnerabilities[1].location: missing"),
            std::string::npos)
      << status.message();
}

TEST(SecurityReportTest, WrongTypesAreReportedWithTheirPath) {
  SecurityReport report;
  Status status = ParseSecurityReport(
      R"({"version":"15","vulnerabilities":[{"id":"a","name":"n","location":{"file":"f",
          "start_line":"7"},"identifiers":[]}]})",
      "r.json", &report);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            "r.json: vulnerabilities[0].location.start_line: expected a whole number, found a "
            "string");

  status = ParseSecurityReport(R"({"version":"15","vulnerabilities":{}})", "r.json", &report);
  EXPECT_EQ(status.message(), "r.json: vulnerabilities: expected an array, found an object");

  status = ParseSecurityReport(R"([1,2])", "r.json", &report);
  EXPECT_NE(status.message().find("expected a JSON object"), std::string::npos);

  status = ParseSecurityReport(
      R"({"version":"15","vulnerabilities":[{"name":"n","location":{},"identifiers":[]}]})",
      "r.json", &report);
  EXPECT_EQ(status.message(), "r.json: vulnerabilities[0].id: missing (required)");
}

TEST(SecurityReportTest, OlderReportsUseMessageOrTheFirstIdentifier) {
  SecurityReport report;
  ASSERT_TRUE(ParseSecurityReport(
                  R"({"version":"2.0","vulnerabilities":[
                      {"id":"a","message":"Old title","location":{},"identifiers":[]},
                      {"id":"b","location":{},"identifiers":[{"name":"CVE-1","type":"cve"}]}]})",
                  "old.json", &report)
                  .ok());
  EXPECT_EQ(report.findings[0].name, "Old title");
  EXPECT_EQ(report.findings[1].name, "CVE-1");
  EXPECT_EQ(report.source.report_file, "old.json");
}

TEST(SecurityReportTest, DeepNestingIsRefusedBeforeParsing) {
  SecurityReport report;
  std::string deep = R"({"version":"15","vulnerabilities":[)" + std::string(100000, '[');
  Status status = ParseSecurityReport(deep, "deep.json", &report);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "deep.json: nested deeper than 64 levels; not a security report");
}

}  // namespace
}  // namespace jiralink::vulnerability
