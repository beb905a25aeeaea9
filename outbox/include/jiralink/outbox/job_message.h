// The text a job keeps of its source: a commit's message, or a merge
// request's title and description (Job::message). One rule for the hook and
// `serve`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jiralink::outbox {

// The most of a source's text a job keeps: 64 KiB. Delivery needs the title,
// and with all_details the message; a longer text is cut. Keys and closing
// keywords are still found in the whole text.
inline constexpr std::size_t kMaxJobMessageBytes = 64 * 1024;

// What a cut message ends with.
inline constexpr std::string_view kMessageCutMarker =
    "\n\n[... message cut by jiralink: it is longer than 64 KiB]";

// `message` when it fits in kMaxJobMessageBytes; else its start, cut on a
// UTF-8 character boundary, followed by kMessageCutMarker, in
// kMaxJobMessageBytes bytes at most.
std::string CapJobMessage(std::string_view message);

}  // namespace jiralink::outbox
