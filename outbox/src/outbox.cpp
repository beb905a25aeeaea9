#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

Status Outbox::Enqueue(const std::vector<Job>& jobs, EnqueueResult* result) {
  *result = EnqueueResult();
  if (jobs.empty()) return Status::Ok();
  std::unique_ptr<EnqueueBatch> batch;
  Status status = StartEnqueue(&batch);
  if (!status.ok()) return status;
  for (const Job& job : jobs) {
    status = batch->Add(job);
    if (!status.ok()) return status;
  }
  status = batch->Commit(&result->is_new);
  if (!status.ok()) return status;
  for (bool added : result->is_new) ++(added ? result->added : result->duplicate);
  return Status::Ok();
}

}  // namespace jiralink::outbox
