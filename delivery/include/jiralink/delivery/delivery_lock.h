// A host-wide lock for delivery runs (flock on a file in the state directory).
// Leases already keep concurrent workers correct; the lock only keeps two
// runs from polling the outbox and Jira side by side for nothing.
#pragma once

#include <string>

namespace jiralink::delivery {

class DeliveryLock {
 public:
  explicit DeliveryLock(std::string path) : path_(std::move(path)) {}
  ~DeliveryLock();
  DeliveryLock(const DeliveryLock&) = delete;
  DeliveryLock& operator=(const DeliveryLock&) = delete;

  // Takes the lock without waiting; false when another process holds it (or
  // the file cannot be opened, which `error` then explains).
  bool TryLock(std::string* error);
  void Unlock();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace jiralink::delivery
