// Reading a whole file into memory, bounded: the one home for it.
//
// Every file jiralink reads whole comes from outside (a settings file, a
// secret file, a security report): it may be a directory, a FIFO that never
// ends, a device, or far larger than any honest file of its kind. A
// directory opens like a file that reads nothing and would pass as an empty,
// valid one; a FIFO would block the reader forever. So ReadWholeFile reads
// only a regular file, and at most `max_bytes` of it, and says which of
// these it met.
#pragma once

#include <cstddef>
#include <string>

#include "jiralink/core/status.h"

namespace jiralink {

// Reads the regular file at `path` (symbolic links followed) into *text.
// Errors, as the message of a Status (the caller adds the path and the
// setting it came from):
//  - NotFound / PermissionDenied / IOError: open(2) or read(2) failed, with
//    strerror's words ("No such file or directory");
//  - InvalidArgument "not a regular file (a directory)" and the like;
//  - InvalidArgument "the file is N bytes; at most M are allowed".
// *text is left empty on error.
Status ReadWholeFile(const std::string& path, std::size_t max_bytes, std::string* text);

}  // namespace jiralink
