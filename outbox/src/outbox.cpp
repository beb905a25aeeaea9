#include "jiralink/outbox/outbox.h"

namespace jiralink::outbox {

Status Outbox::Enqueue(const std::vector<Job>& jobs, EnqueueResult* result) {
  *result = EnqueueResult();
  if (jobs.empty()) return Status::Ok();
  std::unique_ptr<EnqueueBatch> batch;
  Status status = StartEnqueue(&batch);
  if (!status.ok()) return status;
  for (const Job& job : jobs) {
    bool added = false;
    status = batch->Add(job, &added);
    if (!status.ok()) return status;
    result->is_new.push_back(added);
    ++(added ? result->added : result->duplicate);
  }
  return batch->Commit();
}

}  // namespace jiralink::outbox
