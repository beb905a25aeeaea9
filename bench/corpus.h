// Loading the shared corpus (../shared/corpus) for the benchmarks.
#pragma once

#include <string>
#include <vector>

namespace jiralink::bench {

// The directory of the corpus; aborts with a message when it is missing.
std::string CorpusDir();

// All of commits-*.txt concatenated (raw bytes, record separators kept).
const std::string& CommitCorpus();

// Every .md / .markdown file under markdown/, each as one document, sorted by path.
struct Document {
  std::string path;
  std::string text;
};
const std::vector<Document>& MarkdownCorpus();

// All of MarkdownCorpus() concatenated, separated by blank lines.
const std::string& MarkdownConcatenated();

// The commit messages of commits-*.txt, split on the "\n\f\n" record separator.
const std::vector<std::string>& CommitMessages();

}  // namespace jiralink::bench
