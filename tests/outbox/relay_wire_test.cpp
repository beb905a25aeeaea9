// The enqueue relay's bytes (outbox/relay_wire.h): a push's jobs travel
// byte-exact (messages that are not UTF-8, empty fields, every kind), and a
// request or answer that is cut, padded or lies about its contents is
// refused with the reason.
#include "jiralink/outbox/relay_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace jiralink::outbox {
namespace {

using ::testing::HasSubstr;

std::vector<Job> SampleJobs() {
  Job mention;
  mention.repository = "platform/api";
  mention.commit = std::string(40, 'a');
  mention.key = "PROJ-1";
  mention.branch = "main";
  mention.author = "Zoë";
  mention.author_email = "zoe@example.com";
  // Latin-1 bytes and a NUL: a commit message is any bytes git holds.
  mention.message = std::string("PROJ-1 caf\xe9\n\nbody\0end", 22);
  mention.commit_url = "https://git.example.com/platform/api/-/commit/aaaa";
  mention.repo_url = "https://git.example.com/platform/api";
  mention.branch_url = "https://git.example.com/platform/api/-/tree/main";
  mention.site = "https://jira.example.com";
  mention.position = -(std::int64_t{1} << 40);
  Job smart = mention;
  smart.kind = JobKind::kSmartCommand;
  smart.command_index = 3;
  smart.command.kind = SmartCommandKind::kTime;
  smart.command.time_spent = "1w 2d";
  smart.command.text = "reviewing";
  Job close = mention;
  close.kind = JobKind::kClose;
  close.commit = MergeRequestSource(42);
  close.author_email.clear();
  close.site.clear();
  return {mention, smart, close};
}

void ExpectSameJob(const Job& got, const Job& want) {
  EXPECT_EQ(got.repository, want.repository);
  EXPECT_EQ(got.commit, want.commit);
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.branch, want.branch);
  EXPECT_EQ(got.author, want.author);
  EXPECT_EQ(got.author_email, want.author_email);
  EXPECT_EQ(got.message, want.message);
  EXPECT_EQ(got.commit_url, want.commit_url);
  EXPECT_EQ(got.repo_url, want.repo_url);
  EXPECT_EQ(got.branch_url, want.branch_url);
  EXPECT_EQ(got.site, want.site);
  EXPECT_EQ(got.position, want.position);
  EXPECT_EQ(got.command_index, want.command_index);
  EXPECT_EQ(got.command.kind, want.command.kind);
  EXPECT_EQ(got.command.transition, want.command.transition);
  EXPECT_EQ(got.command.time_spent, want.command.time_spent);
  EXPECT_EQ(got.command.text, want.command.text);
}

TEST(RelayWireTest, JobsTravelByteExact) {
  std::vector<Job> sent = SampleJobs();
  std::vector<Job> got;
  Status status = DecodeRelayRequest(EncodeRelayRequest(sent), &got);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) ExpectSameJob(got[i], sent[i]);
}

TEST(RelayWireTest, AnEmptyPushIsAWholeRequest) {
  std::vector<Job> got = SampleJobs();
  ASSERT_TRUE(DecodeRelayRequest(EncodeRelayRequest({}), &got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(RelayWireTest, AFrameIsItsSizeAndARequestOfSomeOfTheJobs) {
  std::vector<Job> sent = SampleJobs();
  std::string frame = EncodeRelayFrame(sent, 1, 3);
  ASSERT_GT(frame.size(), 4u);
  std::size_t size = 0;
  for (int i = 0; i < 4; ++i) {
    size |= static_cast<std::size_t>(static_cast<unsigned char>(frame[i])) << (8 * i);
  }
  EXPECT_EQ(size, frame.size() - 4) << "little-endian, as the header says";
  EXPECT_EQ(DecodeRelayFrameSize(frame), size);
  EXPECT_EQ(DecodeRelayFrameSize(EncodeRelayEnd()), 0u);
  std::vector<Job> got;
  ASSERT_TRUE(DecodeRelayRequest(std::string_view(frame).substr(4), &got).ok());
  ASSERT_EQ(got.size(), 2u);
  ExpectSameJob(got[0], sent[1]);
  ExpectSameJob(got[1], sent[2]);
  EXPECT_EQ(EncodeRelayEnd(), std::string(4, '\0'));
}

TEST(RelayWireTest, EveryCutRequestIsRefused) {
  const std::string whole = EncodeRelayRequest(SampleJobs());
  std::vector<Job> got;
  for (std::size_t size = 0; size < whole.size(); ++size) {
    Status status = DecodeRelayRequest(std::string_view(whole).substr(0, size), &got);
    ASSERT_FALSE(status.ok()) << "cut at " << size;
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  }
}

TEST(RelayWireTest, BadRequestsNameWhatIsWrong) {
  std::vector<Job> got;
  EXPECT_THAT(DecodeRelayRequest("GET / HTTP/1.1\r\n\r\n", &got).message(),
              HasSubstr("not a jiralink enqueue request"));
  EXPECT_THAT(DecodeRelayRequest(EncodeRelayRequest(SampleJobs()) + "x", &got).message(),
              HasSubstr("1 bytes follow the last job"));
  // A count far beyond the bytes: refused before anything is reserved.
  std::string huge = EncodeRelayRequest({});
  huge[4] = huge[5] = huge[6] = huge[7] = '\xff';
  EXPECT_THAT(DecodeRelayRequest(huge, &got).message(), HasSubstr("holds fewer bytes"));

  std::vector<Job> jobs = SampleJobs();
  jobs.resize(1);
  std::string request = EncodeRelayRequest(jobs);
  // The kind byte follows magic, count and three strings.
  const std::size_t kind_at =
      8 + 4 + jobs[0].repository.size() + 4 + jobs[0].commit.size() + 4 + jobs[0].key.size();
  request[kind_at] = 7;
  EXPECT_THAT(DecodeRelayRequest(request, &got).message(), HasSubstr("job 1 of 1: kind 7"));

  jobs[0].key.clear();
  EXPECT_THAT(DecodeRelayRequest(EncodeRelayRequest(jobs), &got).message(),
              HasSubstr("no repository, source or key"));
  jobs = SampleJobs();
  jobs[1].command_index = 100000;
  EXPECT_THAT(DecodeRelayRequest(EncodeRelayRequest(jobs), &got).message(),
              HasSubstr("job 2 of 3: command index 100000"));
}

TEST(RelayWireTest, AnswersCarryWhichJobsWereNewOrTheDaemonsReason) {
  Status outcome;
  std::vector<bool> is_new;
  ASSERT_TRUE(
      DecodeRelayAnswer(EncodeRelayAnswer(Status::Ok(), {true, false, true}), 3, &outcome, &is_new)
          .ok());
  EXPECT_TRUE(outcome.ok());
  EXPECT_EQ(is_new, (std::vector<bool>{true, false, true}));

  ASSERT_TRUE(DecodeRelayAnswer(EncodeRelayAnswer(Status::Unavailable("server closed"), {}), 3,
                                &outcome, &is_new)
                  .ok());
  EXPECT_EQ(outcome.code(), Status::Code::kUnavailable);
  EXPECT_EQ(outcome.message(), "server closed");
}

TEST(RelayWireTest, AnAnswerAboutOtherJobsOrCutIsRefused) {
  Status outcome;
  std::vector<bool> is_new;
  const std::string answer = EncodeRelayAnswer(Status::Ok(), {true, false});
  EXPECT_FALSE(DecodeRelayAnswer(answer, 3, &outcome, &is_new).ok()) << "two flags for three jobs";
  for (std::size_t size = 0; size < answer.size(); ++size) {
    EXPECT_FALSE(DecodeRelayAnswer(answer.substr(0, size), 2, &outcome, &is_new).ok()) << size;
  }
  std::string flags = answer;
  flags.back() = 2;
  EXPECT_FALSE(DecodeRelayAnswer(flags, 2, &outcome, &is_new).ok());
  std::string code = answer;
  code[4] = 99;
  EXPECT_FALSE(DecodeRelayAnswer(code, 2, &outcome, &is_new).ok());
  EXPECT_FALSE(DecodeRelayAnswer("", 0, &outcome, &is_new).ok());
}

}  // namespace
}  // namespace jiralink::outbox
