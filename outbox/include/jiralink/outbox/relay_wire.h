// The bytes a hook and the host's `deliver --daemon` exchange over the
// enqueue relay (enqueue_relay.h): a push's jobs one way, the outcome and
// which jobs were new the other way.
//
// Binary, not JSON: a commit message is any bytes git holds (it need not be
// UTF-8), and the jobs must reach the outbox exactly as the hook planned
// them, whichever way they travel. Every integer is little-endian; a string
// is its length (u32) and its bytes.
//
//   stream  := frame* u32:0            (what the hook sends)
//   frame   := u32:size request        (size = the request's bytes, > 0)
//   request := "JLQ1" u32:count job*count
//   job     := str:repository str:commit str:key u8:kind str:branch
//              str:author str:author_email str:message str:commit_url
//              str:repo_url str:branch_url str:site i64:position
//              i32:command_index u8:command_kind str:transition
//              str:time_spent str:text
//   answer  := "JLA1" u8:code ( code = 0: u32:count u8*count (1 = new)
//                              | code > 0: str:message )
//
// The hook sends its jobs in frames as its walk finds them, so that the
// daemon writes them (uncommitted) while git is still walking; the empty
// frame ends the push, and the daemon then commits and answers.
//
// Only the fields a producer sets travel: the outbox assigns ids, states
// and times. The decoders take outside input (anything that can reach the
// socket) and check every length against what is left, every enumeration
// against its values, and that nothing follows the last field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiralink/core/status.h"
#include "jiralink/outbox/job.h"

namespace jiralink::outbox {

// The largest frame a daemon reads (the hook sends kRelayFrameJobs jobs a
// frame, well under 1 MiB unless messages are huge). A push with a larger
// frame is queued by the hook itself.
inline constexpr std::size_t kMaxRelayRequestBytes = 64u << 20;
// The most a daemon holds of one push, all frames together (it reads a push
// whole before writing it). A larger push is queued by the hook itself.
inline constexpr std::size_t kMaxRelayPushBytes = 256u << 20;
// How many jobs the hook puts in one frame: most pushes are one frame, sent
// at the end of the walk; a larger push streams, so that neither side holds
// one huge message. (Frames of 200 were measured too: on a 2-core machine
// that also runs PostgreSQL, writing while git walks only competes with git
// for the cores, 1000 commits took 47-52 ms against 40-45 ms in one frame.)
inline constexpr std::size_t kRelayFrameJobs = 1000;

std::string EncodeRelayRequest(const std::vector<Job>& jobs);

// A frame of jobs[begin, end), and the end of a stream.
std::string EncodeRelayFrame(const std::vector<Job>& jobs, std::size_t begin, std::size_t end);
std::string EncodeRelayEnd();
// The size a frame's first 4 bytes (kRelayFrameHeaderBytes) give; 0 is the end.
inline constexpr std::size_t kRelayFrameHeaderBytes = 4;
std::size_t DecodeRelayFrameSize(std::string_view header);

// InvalidArgument naming the first thing wrong ("job 3: kind 7 is unknown").
Status DecodeRelayRequest(std::string_view bytes, std::vector<Job>* jobs);

// The daemon's answer: `outcome` is how its enqueue went; when ok, is_new
// tells for each job of the request whether it was new.
std::string EncodeRelayAnswer(const Status& outcome, const std::vector<bool>& is_new);

// Reads an answer to a request of `job_count` jobs. Returns InvalidArgument
// when the bytes are not a whole answer (or an ok answer counts other than
// job_count jobs); otherwise OK, with the daemon's outcome in *outcome (its
// code and message as the daemon gave them) and, when that is ok, *is_new.
Status DecodeRelayAnswer(std::string_view bytes, std::size_t job_count, Status* outcome,
                         std::vector<bool>* is_new);

}  // namespace jiralink::outbox
