#include "jiralink/outbox/maildrop.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "jiralink/outbox/relay_wire.h"
#include "jiralink/state/private_files.h"

namespace jiralink::outbox {
namespace {

constexpr const char* kDropSuffix = ".push";
constexpr const char* kTemporaryPrefix = ".tmp-";

std::string Errno() { return std::strerror(errno); }

// 32 hexadecimal digits of randomness from the kernel.
Status RandomName(std::string* out) {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError("cannot get random bytes: " + Errno());
    got += static_cast<std::size_t>(n);
  }
  char text[sizeof bytes * 2 + 1];
  for (std::size_t i = 0; i < sizeof bytes; ++i) {
    std::snprintf(text + 2 * i, 3, "%02x", static_cast<unsigned>(bytes[i]));
  }
  *out = text;
  return Status::Ok();
}

std::string UserName(uid_t uid) {
  const passwd* entry = ::getpwuid(uid);
  return entry != nullptr ? entry->pw_name : "uid " + std::to_string(uid);
}

std::string GroupName(gid_t gid) {
  const group* entry = ::getgrgid(gid);
  return entry != nullptr ? entry->gr_name : "gid " + std::to_string(gid);
}

// Why this user may not write into the maildrop, and the fix.
Status NotWritable(const std::string& dir, int error) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      return Status::NotFound("the maildrop " + dir +
                              " does not exist (the jiralink package creates it; or set [state] "
                              "maildrop)");
    }
    return Status::IOError("cannot inspect the maildrop " + dir + ": " + Errno());
  }
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
  std::string me = UserName(::geteuid());
  std::string group = GroupName(info.st_gid);
  return Status::PermissionDenied("cannot write into the maildrop " + dir + " (owner " +
                                  UserName(info.st_uid) + ", group " + group + ", mode " + mode +
                                  "): " + std::strerror(error) + "; put " + me +
                                  " in that group: adduser " + me + " " + group);
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(Errno());
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

class MaildropBatch : public EnqueueBatch {
 public:
  explicit MaildropBatch(std::string dir) : dir_(std::move(dir)) {}

  Status Add(const Job& job) override {
    jobs_.push_back(job);
    return Status::Ok();
  }

  Status Commit(std::vector<bool>* is_new) override {
    Status status = DropJobs(dir_, jobs_);
    if (status.ok() && is_new != nullptr) is_new->assign(jobs_.size(), true);
    return status;
  }

 private:
  std::string dir_;
  std::vector<Job> jobs_;
};

// Reads the whole open file `fd` of `size` bytes.
Status ReadAll(int fd, std::size_t size, std::string* bytes) {
  bytes->assign(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, bytes->data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(Errno());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes->resize(got);
  return Status::Ok();
}

// Keeps a malformed drop's bytes in `rejected_dir` (private), for the
// operator to look at; the drop itself is removed by the caller.
Status KeepRejected(const std::string& rejected_dir, const std::string& name,
                    const std::string& bytes) {
  Status status = state::EnsurePrivateDirectory(rejected_dir);
  if (!status.ok()) return status;
  int fd = -1;
  status = state::OpenPrivateFile(rejected_dir + "/" + name, O_WRONLY | O_TRUNC, &fd);
  if (!status.ok()) return status;
  status = WriteAll(fd, bytes);
  ::close(fd);
  return status;
}

}  // namespace

Status DropJobs(const std::string& dir, const std::vector<Job>& jobs, std::string* name) {
  if (jobs.empty()) return Status::Ok();
  std::string bytes = EncodeRelayRequest(jobs);
  if (bytes.size() > kMaxMaildropFileBytes) {
    return Status::InvalidArgument("the push's jobs take " + std::to_string(bytes.size()) +
                                   " bytes, more than a maildrop file holds (" +
                                   std::to_string(kMaxMaildropFileBytes) + ")");
  }
  std::string random;
  if (Status status = RandomName(&random); !status.ok()) return status;
  const std::string temporary = dir + "/" + kTemporaryPrefix + random;
  char stamp[24];
  std::snprintf(stamp, sizeof stamp, "%013" PRId64, NowMillis());
  const std::string final_name = std::string(stamp) + "-" + random + kDropSuffix;

  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) return NotWritable(dir, errno);
  Status status;
  struct stat directory;
  // The owner reads it through the directory's group, whatever this
  // process's umask and primary group (the setgid bit may be missing).
  if (::fchmod(fd, 0640) != 0) {
    status = Status::IOError("cannot set mode 0640 on " + temporary + ": " + Errno());
  } else if (::stat(dir.c_str(), &directory) == 0 && ::fchown(fd, -1, directory.st_gid) != 0 &&
             ::geteuid() != directory.st_uid) {
    status = Status::IOError("cannot give " + temporary + " the maildrop's group " +
                             GroupName(directory.st_gid) + ": " + Errno());
  }
  if (status.ok()) status = WriteAll(fd, bytes);
  if (status.ok() && ::fsync(fd) != 0) status = Status::IOError(Errno());
  if (::close(fd) != 0 && status.ok()) status = Status::IOError(Errno());
  if (status.ok() && ::rename(temporary.c_str(), (dir + "/" + final_name).c_str()) != 0) {
    status = Status::IOError(Errno());
  }
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return Status::IOError("cannot write the push's jobs into the maildrop " + dir + ": " +
                           status.message());
  }
  if (name != nullptr) *name = final_name;
  return Status::Ok();
}

std::unique_ptr<EnqueueBatch> StartMaildropEnqueue(const std::string& dir) {
  return std::make_unique<MaildropBatch>(dir);
}

Status PickUpMaildrop(const std::string& dir, const std::string& rejected_dir, Outbox* outbox,
                      const std::function<void(const std::string&)>& log, PickupReport* report) {
  *report = PickupReport{};
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return Status::IOError("cannot read the maildrop " + dir + ": " + Errno());
  }
  const int dir_fd = ::dirfd(listing);
  std::vector<std::string> drops;
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = ::readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name.starts_with(kTemporaryPrefix)) {
      struct stat info;
      if (::fstatat(dir_fd, entry->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
          now - info.st_mtime > kStaleTemporarySeconds) {
        ::unlinkat(dir_fd, entry->d_name, 0);
      }
      continue;
    }
    if (name.size() > std::strlen(kDropSuffix) && name.ends_with(kDropSuffix) &&
        !name.starts_with(".")) {
      drops.emplace_back(name);
    }
  }
  // Oldest first: names start with the time they were dropped.
  std::sort(drops.begin(), drops.end());
  if (drops.size() > static_cast<std::size_t>(kMaxPickupFiles)) {
    drops.resize(kMaxPickupFiles);
    report->more = true;
  }
  Status status;
  for (const std::string& name : drops) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // another deliverer took it
      std::string why = Errno();
      if (errno == ELOOP) {  // a symbolic link: never followed
        ::unlinkat(dir_fd, name.c_str(), 0);
        ++report->rejected;
        if (log) log("maildrop: removed " + name + ": a symbolic link, not a push");
        continue;
      }
      status = Status::IOError("cannot open " + dir + "/" + name + ": " + why);
      break;
    }
    struct stat info;
    std::string bytes;
    std::string problem;
    if (::fstat(fd, &info) != 0) {
      problem = "cannot inspect it: " + Errno();
    } else if (!S_ISREG(info.st_mode)) {
      problem = "not a regular file";
    } else if (static_cast<std::size_t>(info.st_size) > kMaxMaildropFileBytes) {
      problem = std::to_string(info.st_size) + " bytes, more than " +
                std::to_string(kMaxMaildropFileBytes);
    } else if (Status read = ReadAll(fd, static_cast<std::size_t>(info.st_size), &bytes);
               !read.ok()) {
      problem = "cannot read it: " + read.message();
    }
    ::close(fd);
    std::vector<Job> jobs;
    if (problem.empty()) {
      if (Status decoded = DecodeRelayRequest(bytes, &jobs); !decoded.ok()) {
        problem = decoded.message();
      }
    }
    const std::string writer = UserName(info.st_uid);
    if (!problem.empty()) {
      Status kept = KeepRejected(rejected_dir, name, bytes);
      ::unlinkat(dir_fd, name.c_str(), 0);
      ++report->rejected;
      if (log) {
        log("maildrop: refused " + name + " from " + writer + ": " + problem +
            (kept.ok() ? "; kept in " + rejected_dir : "; not kept: " + kept.message()));
      }
      continue;
    }
    EnqueueResult result;
    status = outbox->Enqueue(jobs, &result);
    if (!status.ok()) break;  // the file stays for the next pickup
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      status = Status::IOError("cannot remove " + dir + "/" + name +
                               " after queueing its jobs: " + Errno());
      break;
    }
    ++report->files;
    report->jobs += static_cast<int>(jobs.size());
    report->new_jobs += result.added;
    if (log) {
      log("maildrop: queued " + std::to_string(result.added) + " new of " +
          std::to_string(jobs.size()) + " jobs of a push by " + writer +
          (jobs.empty() ? "" : " to " + jobs.front().repository));
    }
  }
  ::closedir(listing);
  return status;
}

std::int64_t MaildropChangeStamp(const std::string& dir) {
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0) return 0;
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

}  // namespace jiralink::outbox
