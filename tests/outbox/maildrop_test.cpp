// The maildrop (outbox/maildrop.h): a pusher that does not own the outbox
// drops its push's jobs as one file; the owner's pickup takes them into the
// outbox exactly once, and refuses what is not a push.
#include "jiralink/outbox/maildrop.h"

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "jiralink/outbox/relay_wire.h"
#include "jiralink/outbox/sqlite_outbox.h"
#include "support/test_support.h"

namespace jiralink::outbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

Job MakeJob(const std::string& commit, const std::string& key) {
  Job job;
  job.repository = "platform/api";
  job.commit = commit;
  job.key = key;
  // Any bytes git holds travel unchanged: Latin-1 and a NUL.
  job.message = std::string("caf\xe9 \0 fix ", 11) + key;
  job.site = "https://jira.example.com";
  return job;
}

// The names in `dir` (dot files included).
std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

class MaildropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(maildrop_);
    ASSERT_TRUE(OpenSqliteOutbox(dir_.Path("state/outbox.sqlite3"), &outbox_).ok());
  }

  Status PickUp(PickupReport* report) {
    return PickUpMaildrop(
        maildrop_, rejected_, outbox_.get(),
        [this](const std::string& line) { log_ += line + "\n"; }, report);
  }

  std::vector<Job> Queued() {
    std::vector<Job> jobs;
    EXPECT_TRUE(outbox_->List(std::nullopt, 1000, &jobs).ok());
    return jobs;
  }

  testing::TempDir dir_;
  std::string maildrop_ = dir_.Path("maildrop");
  std::string rejected_ = dir_.Path("state/maildrop-rejected");
  std::unique_ptr<Outbox> outbox_;
  std::string log_;
};

TEST_F(MaildropTest, APushIsTakenOnceWithItsBytes) {
  std::string name;
  ASSERT_TRUE(DropJobs(maildrop_, {MakeJob("c1", "PROJ-1"), MakeJob("c1", "PROJ-2")}, &name).ok());
  EXPECT_THAT(name, ::testing::EndsWith(".push"));
  struct stat info;
  ASSERT_EQ(::stat((maildrop_ + "/" + name).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u) << "the owner reads it through the group";

  PickupReport report;
  ASSERT_TRUE(PickUp(&report).ok());
  EXPECT_EQ(report.files, 1);
  EXPECT_EQ(report.jobs, 2);
  EXPECT_EQ(report.new_jobs, 2);
  EXPECT_TRUE(Names(maildrop_).empty()) << "a taken file is removed";
  std::vector<Job> jobs = Queued();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].message, MakeJob("c1", jobs[0].key).message);
  EXPECT_THAT(log_, HasSubstr("queued 2 new of 2 jobs of a push by"));
}

TEST_F(MaildropTest, TheSamePushDroppedAgainAddsNothing) {
  // As when the owner died between the commit and the removal, or the
  // pusher pushed again: the outbox's uniqueness drops the repeat.
  ASSERT_TRUE(DropJobs(maildrop_, {MakeJob("c1", "PROJ-1")}).ok());
  PickupReport report;
  ASSERT_TRUE(PickUp(&report).ok());
  ASSERT_TRUE(DropJobs(maildrop_, {MakeJob("c1", "PROJ-1")}).ok());
  ASSERT_TRUE(PickUp(&report).ok());
  EXPECT_EQ(report.files, 1);
  EXPECT_EQ(report.new_jobs, 0);
  EXPECT_EQ(Queued().size(), 1u);
}

TEST_F(MaildropTest, ABatchDropsAtCommitAndCallsEveryJobNew) {
  std::unique_ptr<EnqueueBatch> batch = StartMaildropEnqueue(maildrop_);
  ASSERT_TRUE(batch->Add(MakeJob("c1", "PROJ-1")).ok());
  ASSERT_TRUE(batch->Add(MakeJob("c2", "PROJ-1")).ok());
  EXPECT_TRUE(Names(maildrop_).empty()) << "nothing is visible before the commit";
  std::vector<bool> is_new;
  ASSERT_TRUE(batch->Commit(&is_new).ok());
  EXPECT_EQ(is_new, (std::vector<bool>{true, true}));
  EXPECT_EQ(Names(maildrop_).size(), 1u);
}

TEST_F(MaildropTest, MalformedFilesAreRefusedKeptAsideAndNeverQueued) {
  testing::WriteFile(maildrop_ + "/0000000000001-garbage.push", "not a push at all");
  std::string cut = EncodeRelayRequest({MakeJob("c1", "PROJ-1")});
  cut.resize(cut.size() - 3);
  testing::WriteFile(maildrop_ + "/0000000000002-cut.push", cut);
  ASSERT_TRUE(DropJobs(maildrop_, {MakeJob("c9", "PROJ-9")}).ok());  // a good one after them
  fs::create_symlink("/etc/passwd", maildrop_ + "/0000000000003-link.push");

  PickupReport report;
  ASSERT_TRUE(PickUp(&report).ok());
  EXPECT_EQ(report.rejected, 3);
  EXPECT_EQ(report.files, 1);
  std::vector<Job> jobs = Queued();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, "PROJ-9");
  EXPECT_TRUE(Names(maildrop_).empty());
  EXPECT_EQ(testing::ReadFile(rejected_ + "/0000000000001-garbage.push"), "not a push at all");
  EXPECT_THAT(log_, HasSubstr("refused 0000000000002-cut.push from"));
  EXPECT_THAT(log_, HasSubstr("a symbolic link, not a push"));
  struct stat info;
  ASSERT_EQ(::stat(rejected_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST_F(MaildropTest, StaleTemporaryFilesGoAndFreshOnesStay) {
  testing::WriteFile(maildrop_ + "/.tmp-stale", "half");
  testing::WriteFile(maildrop_ + "/.tmp-fresh", "half");
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(maildrop_ + "/.tmp-stale", old);
  PickupReport report;
  ASSERT_TRUE(PickUp(&report).ok());
  EXPECT_EQ(Names(maildrop_), (std::vector<std::string>{".tmp-fresh"}));
  EXPECT_TRUE(Queued().empty());
}

TEST_F(MaildropTest, AMissingMaildropIsNothingToTake) {
  fs::remove(maildrop_);
  PickupReport report;
  EXPECT_TRUE(PickUp(&report).ok());
  EXPECT_EQ(report.files, 0);
  Status dropped = DropJobs(maildrop_, {MakeJob("c1", "PROJ-1")});
  EXPECT_EQ(dropped.code(), Status::Code::kNotFound);
  EXPECT_THAT(dropped.message(), HasSubstr("the maildrop " + maildrop_ + " does not exist"));
}

TEST_F(MaildropTest, ADropChangesTheStampADaemonWatches) {
  const std::int64_t before = MaildropChangeStamp(maildrop_);
  ASSERT_NE(before, 0);
  ASSERT_TRUE(testing::WaitFor([&] {
    // Directory times have the file system's granularity: drop until it moves.
    EXPECT_TRUE(DropJobs(maildrop_, {MakeJob("c1", "PROJ-1")}).ok());
    return MaildropChangeStamp(maildrop_) != before;
  }));
}

// A user outside the maildrop's group is told how to join it, and leaves no
// file behind. Needs root, to become another user in a child process.
TEST_F(MaildropTest, AUserOutsideTheGroupIsToldTheFix) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(maildrop_.c_str(), 03730), 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
    Status status = DropJobs(maildrop_, {MakeJob("c1", "PROJ-1")});
    std::string message = status.message();
    (void)!::write(pipe_fds[1], message.data(), message.size());
    _exit(status.code() == Status::Code::kPermissionDenied ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, n);
  ::close(pipe_fds[0]);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << message;
  EXPECT_THAT(message, HasSubstr("cannot write into the maildrop " + maildrop_));
  EXPECT_THAT(message, HasSubstr("mode 3730"));
  EXPECT_THAT(message, HasSubstr("; put nobody in that group: adduser nobody root"));
  EXPECT_TRUE(Names(maildrop_).empty());
}

}  // namespace
}  // namespace jiralink::outbox
