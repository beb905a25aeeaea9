#include "corpus.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace jiralink::bench {

namespace fs = std::filesystem;

namespace {
std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

std::string CorpusDir() {
  const char* env = std::getenv("JIRALINK_CORPUS_DIR");
  std::string dir = env && *env ? env : std::string(JIRALINK_SHARED_DIR) + "/corpus";
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "jiralink_bench: corpus not found at %s (set JIRALINK_CORPUS_DIR)\n",
                 dir.c_str());
    std::exit(2);
  }
  return dir;
}

const std::string& CommitCorpus() {
  static const std::string corpus = [] {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(CorpusDir())) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("commits-", 0) == 0 && entry.path().extension() == ".txt") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) all += Slurp(f);
    return all;
  }();
  return corpus;
}

const std::vector<Document>& MarkdownCorpus() {
  static const std::vector<Document> docs = [] {
    std::vector<Document> out;
    for (const auto& entry : fs::recursive_directory_iterator(CorpusDir() + "/markdown")) {
      if (!entry.is_regular_file()) continue;
      const std::string ext = entry.path().extension().string();
      if (ext == ".md" || ext == ".markdown") {
        out.push_back({entry.path().string(), Slurp(entry.path())});
      }
    }
    std::sort(out.begin(), out.end(),
              [](const Document& a, const Document& b) { return a.path < b.path; });
    return out;
  }();
  return docs;
}

const std::string& MarkdownConcatenated() {
  static const std::string all = [] {
    std::string out;
    for (const auto& doc : MarkdownCorpus()) {
      out += doc.text;
      out += "\n\n";
    }
    return out;
  }();
  return all;
}

const std::vector<std::string>& CommitMessages() {
  static const std::vector<std::string> messages = [] {
    std::vector<std::string> out;
    const std::string& all = CommitCorpus();
    const std::string sep = "\n\f\n";
    size_t pos = 0;
    while (pos < all.size()) {
      size_t end = all.find(sep, pos);
      if (end == std::string::npos) break;
      out.push_back(all.substr(pos, end - pos));
      pos = end + sep.size();
    }
    return out;
  }();
  return messages;
}

}  // namespace jiralink::bench
